"""Benchmark: how long the command takes to start, each run in a fresh process (wall time).

    uv run python bench/startup.py             # 21 runs of each measure
    uv run python bench/startup.py --runs 51

Measures, in turn so that a slow spell of the machine falls on all of them alike:
- `python -c pass`: the interpreter alone, the floor under everything else;
- `python -c "import expert"`: the package's public surface, imported and not used;
- `expert --help`: process start to exit, help written to a pipe;
- the console's first question: process start to the first output line holding "Q1.", with the
  first screen in the cache (as at every start after the first), and without a cache
  (EXPERT_CACHE_DIR set empty: the first start after installing or changing the package).

Each figure is the median of the runs, then the fastest, the 90th percentile and the spread (half
the interquartile range as a share of the median). The command is the project's console script
beside this Python (`.venv/bin/expert`), else `python -m expert`; `uv run` itself takes some
300 ms before Python starts, so it is not used to launch what is measured. Not a test: it
asserts nothing.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def expert_command() -> list[str]:
    script = Path(PYTHON).parent / "expert"
    return [str(script)] if script.exists() else [PYTHON, "-m", "expert"]


def run_to_exit(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - start


def run_to_line(argv: list[str], env: dict, marker: str, timeout: float = 60.0) -> float:
    """Seconds from process start to the first output line holding `marker`."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < timeout:
            line = proc.stdout.readline()
            if not line:
                break
            if marker.encode() in line:
                return time.perf_counter() - start
    finally:
        proc.kill()
        proc.wait()
    raise RuntimeError(f"{' '.join(argv)}: no line holding {marker!r}")


def summary(times: list[float]) -> str:
    times = sorted(times)
    median = statistics.median(times)
    q1, _, q3 = statistics.quantiles(times, n=4)
    p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
    return (
        f"{median * 1000:.0f} ms (min {times[0] * 1000:.0f}, p90 {p90 * 1000:.0f}, "
        f"±{(q3 - q1) / 2 / median:.0%}, n={len(times)})"
    )


def measures(cache: str) -> dict:
    """Each measure as a function that runs it once and returns its seconds."""
    command = expert_command()
    base = dict(os.environ)
    warm = base | {"EXPERT_CACHE_DIR": cache}
    cold = base | {"EXPERT_CACHE_DIR": ""}
    return {
        "`python -c pass` (the floor)": lambda: run_to_exit([PYTHON, "-c", "pass"], base),
        "`python -c 'import expert'`": lambda: run_to_exit([PYTHON, "-c", "import expert"], base),
        "`expert --help`": lambda: run_to_exit([*command, "--help"], base),
        "console to its first question, first screen cached": lambda: run_to_line(command, warm, "Q1."),
        "console to its first question, no cache": lambda: run_to_line(command, cold, "Q1."),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each measure (default: 21)")
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; command: {' '.join(expert_command())}; "
        f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}"
    )
    with tempfile.TemporaryDirectory() as cache:
        todo = measures(cache)
        todo["console to its first question, first screen cached"]()  # fills the cache
        times: dict[str, list[float]] = {name: [] for name in todo}
        for _ in range(args.runs):
            for name, fn in todo.items():
                times[name].append(fn())
    print("\n| start-up (wall, fresh process) | median (min, p90, spread, runs) |\n|---|---|")
    for name, taken in times.items():
        print(f"| {name} | {summary(taken)} |")


if __name__ == "__main__":
    main()
