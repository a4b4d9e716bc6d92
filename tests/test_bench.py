"""The benchmarks import inside run(), so a module that moved only shows when `make bench`
runs: check every name they import exists (bench_engine_pure once imported its fixtures
from tests.programs.plans after they moved to tests.programs.engine)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import bench


def unresolved_imports(path: Path) -> list[str]:
    missing = []
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[tuple[str, str | None]]
        if isinstance(node, ast.Import):
            targets = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            targets = [(node.module, alias.name) for alias in node.names]
        else:
            continue
        for module_name, name in targets:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                missing.append(module_name)
                continue
            if name not in (None, "*") and not hasattr(module, name):
                try:
                    importlib.import_module(f"{module_name}.{name}")
                except ImportError:
                    missing.append(f"{module_name}.{name}")
    return missing


def test_every_import_of_the_benchmarks_resolves():
    modules = sorted(Path(bench.__file__).parent.glob("*.py"))
    assert len(modules) >= 5
    missing = {f"{path.name}: {name}" for path in modules for name in unresolved_imports(path)}
    assert missing == set()


def test_the_check_itself_catches_a_moved_module(tmp_path):
    module = tmp_path / "bench_moved.py"
    module.write_text(
        "def run():\n"
        "    from tests.programs.plans.engine_fixtures import runner\n"
        "    from programs.engine.specs import NoSuchName\n"
        "    from programs.engine.specs import RunnerContext\n"
    )
    assert unresolved_imports(module) == [
        "tests.programs.plans.engine_fixtures",
        "programs.engine.specs.NoSuchName",
    ]
