"""Instructions per consultation, counted by valgrind, beside CLIPS: a measure the machine's load
does not move.

    uv run python bench/instructions.py                 # KB x1 and x10, the rich case (about 6 minutes)
    uv run python bench/instructions.py --factors 1 10 50
    uv run python bench/instructions.py --factors 1 10 50 --only ours "CLIPS, trace only"

On a shared virtual machine the time of one run moves by a fifth from one quarter of an hour to
the next, so two commits a few per cent apart, or the ratio to CLIPS at two sizes of knowledge
base, cannot be told apart by the clock. valgrind's cachegrind (no cache simulation) counts the
instructions the whole process executes, Python and CLIPS's C alike. Each figure is
(count after N runs - count after 0 runs) / N, so building, loading and warming cancel out; the
hash seed is fixed. Rows: ours (`Session.run`: engine, firing record and report), ours without
the report, our engine bare (bench/engines.py), CLIPS with its firing trace as the differential
tests run it (`ClipsEngine.run`, every finding and trace line read back into Python), and CLIPS
with its trace only, as its user would run it (`ClipsEngine.count_findings`), each on the knowledge
base copied `factor` times (bench/cases.py). The ratios are to the first CLIPS column and, where
counted, to the second.

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

WHAT = ("ours", "ours without the report", "engine only", "CLIPS with trace", "CLIPS, trace only")


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
    elif what == "CLIPS, trace only":
        clips = FreshClips(kb, every=10**9)

        def once():
            clips.count_findings(RICH_CASE, limit=10**7)
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
    parser.add_argument("--only", nargs="+", choices=WHAT, default=list(WHAT), metavar="WHAT",
                        help="count only these columns: " + ", ".join(repr(w) for w in WHAT))
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: this benchmark counts instructions with it")
    columns = [w for w in WHAT if w in args.only]
    ratios = [(a, b) for a in ("ours", "engine only") for b in ("CLIPS with trace", "CLIPS, trace only")
              if a in columns and b in columns]
    print("| knowledge base | " + " | ".join(columns + [f"{a} / {b}" for a, b in ratios]) + " |")
    print("|---" * (len(columns) + len(ratios) + 1) + "|")
    for factor in args.factors:
        counts = {what: per_run(factor, what) for what in columns}
        cells = [f"{counts[w] / 1e6:.2f} M" for w in columns] + [f"x{counts[a] / counts[b]:.3f}" for a, b in ratios]
        print(f"| x{factor} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
