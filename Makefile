# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

export DJANGO_DEBUG ?= 1

.PHONY: run test lint fmt schema messages makemessages bench chaos soak check venv clean fuzz node

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

## axe-core for the accessibility tests, from package-lock.json into node_modules/ (needs npm).
node: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the axe tests: apt-get install npm (or install Node.js)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

messages: venv
	$(PY) manage.py compilemessages --ignore $(VENV) >/dev/null

## Start everything: web on http://127.0.0.1:8000, Celery worker and beat, embedded Redis.
run: venv messages
	$(PY) -m rehab.stack

## The whole test suite (SQLite + embedded Redis, or DATABASE_URL / REDIS_URL when set),
## one pytest-xdist worker per core (PYTEST_WORKERS=0 runs it in one process).
PYTEST_WORKERS ?= auto
test: venv messages node
	DJANGO_DEBUG=0 $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## Schema-based API fuzzing with more examples per operation (FUZZ_EXAMPLES, default 100).
FUZZ_EXAMPLES ?= 100
fuzz: venv messages
	DJANGO_DEBUG=0 FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/api/test_fuzz.py -q $(PYTEST_ARGS)

## Style, the one-way layers (pyproject.toml [tool.importlinter]), types (pyproject.toml [tool.mypy]).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

fmt: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

schema: venv
	DJANGO_DEBUG=0 DJANGO_SETTINGS_MODULE=rehab.settings_test $(PY) manage.py spectacular --file var/schema.yml --validate --fail-on-warn

check: venv
	DJANGO_DEBUG=0 DJANGO_SETTINGS_MODULE=rehab.settings_test $(PY) manage.py makemigrations --check --dry-run

makemessages: venv
	$(PY) manage.py makemessages -l nl --ignore '$(VENV)/*' --ignore 'tests/*' --ignore 'bench/*' --no-obsolete
	$(PY) manage.py makemessages -l nl -d djangojs --ignore '$(VENV)/*' --ignore 'staticfiles/*' --no-obsolete

bench: venv messages
	DJANGO_DEBUG=0 $(PY) -m bench

## Reminders through faults (issue #16): kill -9 workers, restart Redis, count what arrived.
## PostgreSQL only (DATABASE_URL). CHAOS_SIZE=small (1,000 reminders, 5 kills) or full (10,000).
CHAOS_SIZE ?= small
chaos: venv messages
	DJANGO_DEBUG=0 $(PY) -m bench.chaos --size $(CHAOS_SIZE)

## The whole product as deploy/Procfile runs it (gunicorn x2, a worker per queue, one
## beat) through a simulated day; PostgreSQL only (DATABASE_URL: the run makes and drops a
## database of its own on that server). SOAK_SIZE=small (24 runners) or full (300).
SOAK_SIZE ?= small
soak: venv messages
	$(PY) -m bench.soak --size $(SOAK_SIZE)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache .mypy_cache
