"""Benchmark: the peak memory and the rate of `expert audit` over batches of generated case files.

    uv run python bench/audit_memory.py                       # 1,000 and 5,000 cases, --workers 1
    uv run python bench/audit_memory.py --cases 1000,5000 --workers 1,2
    uv run python bench/audit_memory.py --checkout /path/to/other/checkout   # a before/after

Each batch runs as `python -m expert audit FOLDER --log LOG` in a child process (a new log, the
case files written beforehand, outside the time measured). Printed per batch: the child's peak
resident memory (ru_maxrss from os.wait4: the main process, where the records are gathered; the
workers of --workers are apart), the wall time of the whole process (start-up included) and the
cases per second it makes, and the process's CPU time (ru_utime + ru_stime, its workers' included
once they are waited for) with the cases per CPU second, which a loaded machine disturbs less. The cases are bench/cases.py's generated ones, as bench/run.py uses.
Not a test: it asserts nothing.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from cases import fact_dicts, generated_cases  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def write_cases(folder: Path, count: int) -> None:
    folder.mkdir()
    for i, case in enumerate(generated_cases(count)):
        (folder / f"case{i:05d}.json").write_text(json.dumps({"facts": fact_dicts(case)}))


def audit(checkout: Path, folder: Path, log: Path, workers: int) -> tuple[float, int, float]:
    """Wall seconds, peak resident kilobytes of the audit process, and its CPU seconds."""
    env = dict(os.environ) | {"PYTHONPATH": str(checkout)}
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "expert", "audit", str(folder), "--log", str(log), "--workers", str(workers)],
        cwd=checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    out, err = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"expert audit failed ({child.returncode}): {err.decode()[-300:]}")
    return took, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="1000,5000", help="batch sizes, comma-separated (default: 1000,5000)")
    parser.add_argument("--workers", default="1", help="--workers values, comma-separated (default: 1)")
    parser.add_argument("--checkout", default=str(ROOT), help="the checkout whose `expert` is run (default: this one)")
    args = parser.parse_args()
    checkout = Path(args.checkout).resolve()
    commit = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; code: {checkout} at {commit or 'no commit'}"
    )
    print("\n| batch | --workers | peak memory (maxrss) | wall time | rate (wall) | CPU time | rate (CPU) |\n|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for count in (int(c) for c in args.cases.split(",")):
            folder = Path(tmp) / f"cases{count}"
            write_cases(folder, count)
            for workers in (int(w) for w in args.workers.split(",")):
                log = Path(tmp) / f"audit{count}-{workers}.jsonl"
                took, peak_kb, cpu = audit(checkout, folder, log, workers)
                print(
                    f"| {count:,} cases | {workers} | {peak_kb / 1024:.0f} MB | {took:.1f} s | {count / took:.0f} /s "
                    f"| {cpu:.1f} s | {count / cpu:.0f} /s |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
