"""Benchmark: our engine beside CLIPS (clipspy, and the clips binary where installed).

    uv run python bench/run.py            # everything (several minutes on 2 cores)
    uv run python bench/run.py --quick    # fewer repetitions, no 100x scaling
    uv run python bench/run.py --only startup,consult

Prints a Markdown table; each figure is the median of several runs (per-answer times also p95).
Not a test: it asserts nothing about speed.
"""

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import expert  # noqa: E402
from cases import RICH_CASE, bigger_case, fact_dicts, generated_cases, scaled_knowledge_base  # noqa: E402
from expert.clips import ClipsEngine, deffacts, export_clips  # noqa: E402
from rules.knowledge import default_knowledge_base  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MINUTE = 60.0
ROWS: list[tuple[str, str, str, str]] = []


def row(what: str, ours: str, clips: str = "", note: str = "") -> None:
    ROWS.append((what, ours, clips, note))
    print(f"| {what} | {ours} | {clips} | {note} |", flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 10 else f"{seconds:.1f} s"


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- start-up ---------------------------------------------------------------------------------------


def time_to_question(argv: list[str], timeout: float = 60.0) -> tuple[float, str]:
    """Seconds from process start to the first output line holding '?' (else the first line)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first, found = None, None
    try:
        while time.perf_counter() - start < timeout:
            line = proc.stdout.readline()
            if not line:
                break
            if first is None:
                first = (time.perf_counter() - start, "first line")
            if "?" in line:
                found = (time.perf_counter() - start, "first '?'")
                break
    finally:
        proc.kill()
        proc.wait()
    return found or first or (float("nan"), "no output")


def bench_startup(repeat: int) -> None:
    bare = median_time(lambda: subprocess.run([PYTHON, "-c", "pass"], check=True), repeat)
    row("start-up: bare `python -c pass`", ms(bare), "", "baseline")
    runs = [time_to_question([PYTHON, "-m", "expert"]) for _ in range(repeat)]
    how = runs[0][1]
    row("start-up: `python -m expert` to the first question", ms(statistics.median(r[0] for r in runs)), "",
        f"until the {how} on stdout")
    with tempfile.TemporaryDirectory() as tmp:
        clp = Path(tmp) / "kb.clp"
        clp.write_text(export_clips(default_knowledge_base()), encoding="utf-8")
        load = f"import clips; e = clips.Environment(); e.load({str(clp)!r}); print('ready?')"
        clips_py = median_time(lambda: subprocess.run([PYTHON, "-c", load], check=True, capture_output=True), repeat)
        native = ""
        if shutil.which("clips"):
            batch = Path(tmp) / "start.bat"
            batch.write_text(f'(load "{clp}")\n(exit)\n')
            native = " / " + ms(median_time(lambda: subprocess.run(["clips", "-f", str(batch)], check=True, capture_output=True), repeat)) + " (clips binary)"
        row("start-up: load the exported KB", "", ms(clips_py) + " (python+clipspy)" + native, "CLIPS has no console of ours")


# --- one consultation -------------------------------------------------------------------------------


def bench_consult(repeat: int) -> None:
    kb = default_knowledge_base()
    expert.consult(RICH_CASE)  # compile once, as a long-running process would have
    engine = ClipsEngine(kb)
    lib = median_time(lambda: expert.consult(RICH_CASE), repeat)
    session = expert.Session()
    for fact in RICH_CASE:
        session.tell(fact)
    rerun = median_time(session.run, repeat)
    traced = median_time(lambda: engine.run(RICH_CASE), repeat)
    bare = ClipsEngine(kb, trace=False)
    untraced = median_time(lambda: bare.count_findings(RICH_CASE), repeat)
    n = len(expert.consult(RICH_CASE).fired)
    row(f"consultation, rich case ({len(RICH_CASE)} facts, {n} firings): library `expert.consult`", ms(lib),
        ms(traced) + " (with firing trace)", "")
    row("consultation: Session.run again on the same engine", ms(rerun), ms(untraced) + " (no trace)", "")
    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp) / "case.json"
        case.write_text(json.dumps({"facts": fact_dicts(RICH_CASE)}))
        cli = median_time(lambda: subprocess.run([PYTHON, "-m", "expert", "consult", str(case)], cwd=ROOT, check=True, capture_output=True), max(3, repeat // 10))
        native = ""
        if shutil.which("clips"):
            clp = Path(tmp) / "kb.clp"
            clp.write_text(export_clips(kb) + "\n" + deffacts(RICH_CASE), encoding="utf-8")
            batch = Path(tmp) / "run.bat"
            batch.write_text(f'(load "{clp}")\n(reset)\n(run)\n(facts)\n(exit)\n')
            native = ms(median_time(lambda: subprocess.run(["clips", "-f", str(batch)], check=True, capture_output=True), max(3, repeat // 10))) + " (clips binary, load+run)"
        row("consultation: `expert consult CASE.json` (whole process)", ms(cli), native, "")


# --- per answer -----------------------------------------------------------------------------------


def bench_answers(sessions: int) -> None:
    """A console session as the library sees it: after each answer, tell + run."""
    kb = default_knowledge_base()
    expert.consult(RICH_CASE)
    ours, theirs = [], []
    engine = ClipsEngine(kb)
    for _ in range(sessions):
        session = expert.Session()
        for fact in RICH_CASE:
            start = time.perf_counter()
            session.tell(fact)
            session.run()
            ours.append(time.perf_counter() - start)
        engine.env.reset()
        for fact in RICH_CASE:
            start = time.perf_counter()
            engine._templates[fact.kind].assert_fact(**_slots(fact))
            engine.env.run()
            theirs.append(time.perf_counter() - start)
    q = lambda xs: statistics.quantiles(xs, n=20)[-1]  # noqa: E731
    row(f"per answer (tell + run), {len(ours)} answers: median", ms(statistics.median(ours)), ms(statistics.median(theirs)) + " (assert + run)", "")
    row("per answer: 95th percentile", ms(q(ours)), ms(q(theirs)), "")


def _slots(fact):
    from expert.clips import _slot_values

    return _slot_values(fact)


# --- throughput -----------------------------------------------------------------------------------


def _consult_all(cases) -> int:
    return sum(len(expert.consult(c).fired) for c in cases)


def bench_throughput(count: int) -> None:
    cases = generated_cases(count)
    expert.consult(cases[0])
    start = time.perf_counter()
    _consult_all(cases)
    one = time.perf_counter() - start
    workers = os.cpu_count() or 1
    chunks = [cases[i::workers] for i in range(workers)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_consult_all, chunks)
    many = time.perf_counter() - start
    engine = ClipsEngine(default_knowledge_base())
    start = time.perf_counter()
    for case in cases:
        engine.run(case)
    clips_one = time.perf_counter() - start
    row(f"throughput, {count} generated cases, library, 1 process", f"{count / one:.0f} /s", f"{count / clips_one:.0f} /s", "")
    row(f"throughput, library, {workers} processes", f"{count / many:.0f} /s", "", "includes pool start")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cases"
        folder.mkdir()
        for i, case in enumerate(cases):
            (folder / f"case{i:04d}.json").write_text(json.dumps({"facts": fact_dicts(case)}))
        for n in (1, workers):
            log = Path(tmp) / f"audit{n}.jsonl"
            start = time.perf_counter()
            result = subprocess.run([PYTHON, "-m", "expert", "audit", str(folder), "--log", str(log), "--workers", str(n)],
                                    cwd=ROOT, capture_output=True, text=True)
            took = time.perf_counter() - start
            if result.returncode != 0:
                row(f"throughput, `expert audit`, {n} worker(s)", "failed: " + result.stderr.strip()[:80], "", "")
            else:
                row(f"throughput, `expert audit --workers {n}`", f"{count / took:.0f} /s", "", "whole process, log written")


# --- scaling --------------------------------------------------------------------------------------


def bench_scaling(factors: list[int], repeat: int) -> None:
    kb = default_knowledge_base()
    stopped = {"ours": False, "clips": False}
    for factor in factors:
        big = scaled_knowledge_base(kb, factor)
        _scaling_row(f"KB x{factor} ({len(big.rules)} rules), rich case", big, RICH_CASE, repeat, stopped)
    stopped = {"ours": False, "clips": False}
    for factor in factors:
        case = bigger_case(RICH_CASE, factor)
        _scaling_row(f"case x{factor} ({len(case)} facts), real KB", kb, case, repeat, stopped)


def _ours_scaled(kb, case, repeat):
    start = time.perf_counter()
    session = expert.Session(kb, max_firings=10**7)
    build = time.perf_counter() - start
    for fact in case:
        session.tell(fact)
    first = median_time(session.run, 1)
    took = first if first > MINUTE else median_time(session.run, repeat)
    return took, build, len(session.report().fired)


def _clips_scaled(kb, case, repeat):
    start = time.perf_counter()
    engine = ClipsEngine(kb)
    load = time.perf_counter() - start
    first = median_time(lambda: engine.run(case, limit=10**7), 1)
    took = first if first > MINUTE else median_time(lambda: engine.run(case, limit=10**7), repeat)
    return took, load, len(engine.run(case, limit=10**7).firings)


def _in_child(fn, *args, limit: float):
    """Run fn in a forked process; None if it has not finished within `limit` seconds."""
    pool = multiprocessing.get_context("fork").Pool(1)
    try:
        return pool.apply_async(fn, args).get(timeout=limit)
    except multiprocessing.TimeoutError:
        return None
    finally:
        pool.terminate()


def _scaling_row(label, kb, case, repeat, stopped) -> None:
    limit = 5 * MINUTE
    ours = None if stopped["ours"] else _in_child(_ours_scaled, kb, case, repeat, limit=limit)
    theirs = None if stopped["clips"] else _in_child(_clips_scaled, kb, case, repeat, limit=limit)

    def show(result, key, what):
        if stopped[key]:
            return "not run (the series stopped above)"
        if result is None:
            stopped[key] = True
            return f"stopped: the build and first run took over {limit / MINUTE:.0f} min"
        stopped[key] = result[0] > MINUTE
        return f"{ms(result[0])} ({what} {ms(result[1])}; {result[2]} firings)"

    ratio = f"ratio ours/CLIPS x{ours[0] / theirs[0]:.1f}" if ours and theirs else ""
    row(f"scaling: {label}", show(ours, "ours", "engine build"), show(theirs, "clips", "load"), ratio)


SECTIONS = {"startup", "consult", "answers", "throughput", "scaling"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(sorted(SECTIONS)))
    args = parser.parse_args()
    only = set(args.only.split(","))
    quick = args.quick
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}")
    print(f"knowledge base: {len(default_knowledge_base().rules)} rules\n")
    print("| measure | ours (experta) | CLIPS | note |\n|---|---|---|---|")
    if "startup" in only:
        bench_startup(5 if quick else 11)
    if "consult" in only:
        bench_consult(20 if quick else 101)
    if "answers" in only:
        bench_answers(5 if quick else 30)
    if "throughput" in only:
        bench_throughput(200 if quick else 1000)
    if "scaling" in only:
        bench_scaling([1, 10] if quick else [1, 10, 100], 3)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
