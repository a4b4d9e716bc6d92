"""`make bench`: run every benchmark module in bench/ and print its figures.

Each module exposes `run() -> list[tuple[str, str]]` (label, figure). Benchmarks
use the configured database (DATABASE_URL) and print, never assert.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings_test")
    django.setup()
    import bench

    selected = set(sys.argv[1:])
    for module_info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if not module_info.name.startswith("bench_"):
            continue
        if selected and module_info.name not in selected:
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        started = time.perf_counter()
        print(f"== {module_info.name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        for label, figure in module.run():
            print(f"   {label:<55} {figure}")
        print(f"   (took {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
