"""The engine is plain Python: what a physiotherapist reads against the clinical notes
runs without a database, settings or any app. Its one outside import is Django's
translation helper, for labels in English and Dutch (import-linter keeps out the apps;
this test keeps out the rest of Django and every other package)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import programs.engine

ALLOWED = {"__future__", "programs.engine", "django.utils.translation"}
# Under `if TYPE_CHECKING:` only, never imported at run time: the name of a lazy translation's
# type for mypy (django-stubs-ext is a development dependency).
TYPING_ONLY = {"django_stubs_ext"}


def _typing_only(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
        and not node.orelse
        and all(
            isinstance(child, ast.ImportFrom) and child.module in TYPING_ONLY for child in node.body
        )
    )


def imports_of(path: Path) -> set[str]:
    found = set()
    tree = ast.parse(path.read_text())
    skipped = {id(n) for top in tree.body if _typing_only(top) for n in ast.walk(top)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def allowed(name: str) -> bool:
    top = name.split(".")[0]
    if top in sys.stdlib_module_names:
        return True
    return any(name == ok or name.startswith(ok + ".") for ok in ALLOWED)


def test_the_engine_imports_only_the_standard_library_and_django_translation():
    modules = sorted(Path(programs.engine.__file__).parent.rglob("*.py"))
    assert len(modules) >= 10
    outside = {
        f"{path.name}: {name}" for path in modules for name in imports_of(path) if not allowed(name)
    }
    assert outside == set()


def test_the_check_itself_catches_a_database_import(tmp_path):
    module = tmp_path / "leak.py"
    module.write_text("from django.db import models\nimport yaml\nimport datetime\n")
    assert {name for name in imports_of(module) if not allowed(name)} == {"django.db", "yaml"}


def test_a_typing_only_import_passes_but_not_at_run_time(tmp_path):
    module = tmp_path / "types.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from django_stubs_ext import StrPromise\n"
        "from django_stubs_ext import monkeypatch\n"
        "if TYPE_CHECKING:\n    from django.db import models\n"
    )
    assert {name for name in imports_of(module) if not allowed(name)} == {
        "django_stubs_ext",
        "django.db",
    }
