"""``make bench``: every benchmark, one table, and ``out/bench.json``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from benchmarks._harness import failed, machine, table, write_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller inputs, under 3 minutes")
    parser.add_argument("--only", help="run only benchmarks whose module name contains this")
    parser.add_argument("--json", default="out/bench.json")
    args = parser.parse_args(argv)
    here = [str(Path(__file__).parent)]
    names = sorted(m.name for m in pkgutil.iter_modules(here) if m.name.startswith("bench_"))
    figures = []
    t0 = time.perf_counter()
    for name in names:
        if args.only and args.only not in name:
            continue
        t = time.perf_counter()
        print(f"running {name} …", file=sys.stderr, flush=True)
        try:
            mod = importlib.import_module(f"benchmarks.{name}")
            figures += mod.run(args.quick)
        except Exception as e:  # one module's crash must not lose the others' figures
            traceback.print_exc()
            figures.append(failed(name, e))
        print(f"  {name}: {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
        write_json(figures, Path(args.json), args.quick)  # what is measured is kept
    print(
        f"\nmachine: {machine()}; {'quick' if args.quick else 'full'} run in "
        f"{time.perf_counter() - t0:.0f} s\n"
    )
    print(table(figures))
    write_json(figures, Path(args.json), args.quick)
    print(f"\nwritten: {args.json}")
    broken = [f for f in figures if f.error]
    if broken:
        print(f"{len(broken)} benchmark module(s) failed: see the FAILED rows", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
