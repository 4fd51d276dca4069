"""Run every benchmark in this folder, one after the other, each printing its table.

    .venv/bin/python benchmarks/run_all.py            # all
    .venv/bin/python benchmarks/run_all.py sandbox    # only benchmarks whose name contains "sandbox"

Benchmarks measure; they never run as part of the test suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["xdm_validate_bench.py", "sandbox_bench.py", "engine_bench.py", "streaming_bench.py", "gui_bench.py"]


def main(argv: list[str]) -> int:
    wanted = argv[1:]
    scripts = [HERE / name for name in ORDER if (HERE / name).exists()]
    scripts += sorted(p for p in HERE.glob("*_bench.py") if p not in scripts)
    if wanted:
        scripts = [s for s in scripts if any(w in s.name for w in wanted)]
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    failures = 0
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], env=env)
        print(f"({script.name}: exit {result.returncode}, {time.perf_counter() - started:.0f} s)", flush=True)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
