"""Instructions per consultation, counted by valgrind, beside CLIPS: a measure the machine's load
does not move.

    uv run python bench/instructions.py                 # KB x1 and x10, the rich case (about 6 minutes)
    uv run python bench/instructions.py --factors 1 10 50

On a shared virtual machine the time of one run moves by a fifth from one quarter of an hour to
the next, so two commits a few per cent apart, or the ratio to CLIPS at two sizes of knowledge
base, cannot be told apart by the clock. valgrind's cachegrind (no cache simulation) counts the
instructions the whole process executes, Python and CLIPS's C alike. Each figure is
(count after N runs - count after 0 runs) / N, so building, loading and warming cancel out; the
hash seed is fixed. Rows: ours (`Session.run`: engine, firing record and report), ours without
the report, our engine bare (bench/engines.py), and CLIPS with its firing trace (bench/run.py's
FreshClips), each on the knowledge base copied `factor` times (bench/cases.py).

What instructions do not show is the cost of memory: a larger knowledge base touches more of it
per run, and a run's time grows faster than its instructions. Read this beside bench/run.py's
scaling rows, not instead of them. Needs `valgrind` on the PATH. Asserts nothing.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

WHAT = ("ours", "ours without the report", "engine only", "CLIPS with trace")


def _child(factor: int, runs: int, what: str) -> None:
    """Run one of WHAT `runs` times (after three to warm up) on the knowledge base x factor."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import expert
    from cases import RICH_CASE, scaled_knowledge_base
    from engines import bare_engine, run_bare
    from expert.engine import session as session_module
    from expert.rules.knowledge import default_knowledge_base
    from run import GC_PAUSED, FreshClips

    kb = scaled_knowledge_base(default_knowledge_base(), factor)
    if what == "CLIPS with trace":
        clips = FreshClips(kb, every=10**9)

        def once():
            clips.run(RICH_CASE, limit=10**7)
    elif what == "engine only":
        engine = bare_engine(kb)

        def once():
            with GC_PAUSED():
                run_bare(engine, RICH_CASE)
    else:
        session = expert.Session(kb, max_firings=10**7)
        for fact in RICH_CASE:
            session.tell(fact)
        report = session.run().report
        if what == "ours without the report":
            session_module.build_report = lambda *args, **kwargs: report
        once = session.run
    for _ in range(3 + runs):
        once()


def _count(factor: int, runs: int, what: str) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, os.path.abspath(__file__), "--child", str(factor), str(runs), what]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or not found:
        raise SystemExit(f"valgrind failed for {what} at x{factor}:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_run(factor: int, what: str) -> float:
    runs = max(2, 40 // factor)
    return (_count(factor, runs, what) - _count(factor, 0, what)) / runs


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: this benchmark counts instructions with it")
    print("| knowledge base | " + " | ".join(WHAT) + " | ours / CLIPS | engine only / CLIPS |")
    print("|---" * (len(WHAT) + 3) + "|")
    for factor in args.factors:
        counts = {what: per_run(factor, what) for what in WHAT}
        clips = counts["CLIPS with trace"]
        cells = " | ".join(f"{counts[w] / 1e6:.2f} M" for w in WHAT)
        print(f"| x{factor} | {cells} | x{counts['ours'] / clips:.3f} | x{counts['engine only'] / clips:.3f} |",
              flush=True)


if __name__ == "__main__":
    main()
