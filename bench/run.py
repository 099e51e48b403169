"""Benchmark: our engine beside experta as shipped and CLIPS (clipspy, and the clips binary where installed).

    uv run python bench/run.py            # everything (about 20 minutes on 2 cores)
    uv run python bench/run.py --quick    # fewer repetitions, scaling to 10x (about 4 minutes)
    uv run python bench/run.py --only consult,throughput
    uv run python bench/run.py --clock wall

Prints a Markdown table. Columns: ours (the library as a program calls it: records and report
included); ours, engine only (the same compiled engine firing the same rules and declaring the
same findings, but recording no firing and building no report); experta as shipped (the same
rules under experta 1.9.4's own KnowledgeEngine and ReteMatcher, same tie-break: what the engine
would cost without our way of driving it); CLIPS (the exported knowledge base in clipspy, with
its firing trace unless a row says otherwise); and ours / CLIPS.

Each figure is the median of repeated runs followed by its spread: ±, half the interquartile
range as a share of the median; n, the number of runs; and the fastest run. A measure is
repeated until that spread is within 5 % or its cap of runs or time is reached, so noisy
measures get more runs. Things compared are run in turn, one run of each per round, so that a
slow spell of the machine falls on all of them alike, and each run ends by collecting the
youngest generation of garbage, so that none pays for another's (see settle). In-process times
are CPU time of the benchmark process (time.process_time), which other work on the machine
disturbs less than wall time; `--clock wall` measures wall time instead. Start-up,
whole-process and multi-process figures are wall time. Scaling points run in child processes
with a time limit.

To measure another checkout with this benchmark (an earlier commit, for a before/after):
`PYTHONPATH=/path/to/checkout uv run python bench/run.py`. Not a test: it asserts nothing.
"""

import argparse
import contextlib
import gc
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
import expert.engine.session  # noqa: E402  (for GC_PAUSED: `import expert` alone loads no module of the engine)
import startup  # noqa: E402
from audit_memory import audit as audit_process  # noqa: E402
from cases import RICH_CASE, bigger_case, fact_dicts, generated_cases, scaled_knowledge_base  # noqa: E402
from engines import bare_engine, run_bare  # noqa: E402
from expert.kb.clips import ClipsEngine, deffacts, export_clips  # noqa: E402
from expert.engine.evidence import fact_causes  # noqa: E402
from expert.engine.report import build_report  # noqa: E402
from expert.rules.knowledge import default_knowledge_base  # noqa: E402

# The project whose `expert` is imported (and run as `python -m expert`): this one, unless
# PYTHONPATH points the benchmark at another checkout, e.g. to measure an earlier commit.
ROOT = Path(expert.__file__).resolve().parent.parent
PYTHON = sys.executable
MINUTE = 60.0
CLOCK = time.process_time
# Our Session.run pauses the cyclic garbage collector for the run; the engine-only column does
# the same where the library has the pause (so that it stays the share of ours it stands for).
GC_PAUSED = getattr(expert.engine.session, "_gc_paused", contextlib.nullcontext)


def row(what: str, ours: str = "", engine: str = "", shipped: str = "", clips: str = "", ratio: str = "", note: str = "") -> None:
    print(f"| {what} | {ours} | {engine} | {shipped} | {clips} | {ratio} | {note} |", flush=True)


def ms(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    return f"{seconds * 1000:.2f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


# --- measuring ------------------------------------------------------------------------------------


class Sample:
    """Repeated timings of one thing: median, interquartile spread, count."""

    def __init__(self, times: list[float]):
        self.times = sorted(times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def spread(self) -> float:
        """Half the interquartile range, as a share of the median."""
        if len(self.times) < 4:
            return (self.times[-1] - self.times[0]) / 2 / self.median if self.median else 0.0
        q1, _, q3 = statistics.quantiles(self.times, n=4)
        return (q3 - q1) / 2 / self.median if self.median else 0.0

    def text(self, unit=ms) -> str:
        return f"{unit(self.median)} ±{self.spread:.0%} (n={len(self.times)}, min {unit(self.times[0])})"


def measure(fn, *, least: int = 5, most: int = 200, budget: float = 20.0, target: float = 0.05, clock=None) -> Sample:
    """Time fn until the spread is within `target` (after `least` runs), or `most` runs, or `budget` s."""
    return measure_together([fn], least=least, most=most, budget=budget, target=target, clock=clock)[0]


def measure_together(fns, *, least: int = 5, most: int = 200, budget: float = 20.0, target: float = 0.05, clock=None,
                     between=None) -> list[Sample]:
    """Time several things in turn, one run of each per round, so that a slow spell of the
    machine falls on all of them alike; stop as `measure` does, when every spread is within
    `target` (a thing reaching `most` runs is run no more). `between` is called after each
    round, outside the time measured."""
    clock = clock or CLOCK
    times: list[list[float]] = [[] for _ in fns]
    started = time.perf_counter()
    settle()
    while True:
        for fn, runs in zip(fns, times):
            if len(runs) < most:
                start = clock()
                fn()
                settle()
                runs.append(clock() - start)
        if between:
            between()
        done = [len(r) >= most or (len(r) >= least and Sample(r).spread <= target) for r in times]
        if all(done) or (all(len(r) >= least for r in times) and time.perf_counter() - started > budget):
            return [Sample(r) for r in times]


def settle() -> None:
    """Collect the youngest generation of garbage now, inside the time of whatever made it.

    Our Session.run pauses the cyclic collector and leaves its work to the first allocations after
    the run; run in turn with other things, that work would fall in the time of the next thing
    measured (CLIPS, say). Every measured run ends with this, so each pays for its own garbage.
    """
    if gc.isenabled():
        gc.collect(0)


def ratio(ours: Sample | float, theirs: Sample | float) -> str:
    a = ours.median if isinstance(ours, Sample) else ours
    b = theirs.median if isinstance(theirs, Sample) else theirs
    return f"x{a / b:.1f}" if b else ""


class FreshClips:
    """The exported knowledge base in CLIPS (expert.kb.clips.ClipsEngine), in a new environment
    every `every` runs, made outside the time measured (call `renew` between runs).

    clipspy's Template.assert_fact leaks (about 7 KB a case here) and an environment that has
    asserted a few thousand cases runs them 3 to 6 times slower than a new one: kept, it would
    flatter us more the longer the benchmark ran.
    """

    def __init__(self, kb, *, trace: bool = True, every: int = 100):
        self.kb, self.trace, self.every = kb, trace, every
        start = CLOCK()
        self.engine = ClipsEngine(kb, trace=trace)
        self.load = CLOCK() - start
        self.runs = 0

    def run(self, facts, limit: int = 10_000):
        self.runs += 1
        return self.engine.run(facts, limit)

    def count_findings(self, facts, limit: int = 10_000) -> int:
        self.runs += 1
        return self.engine.count_findings(facts, limit)

    def renew(self) -> None:
        if self.runs >= self.every:
            self.engine = ClipsEngine(self.kb, trace=self.trace)
            self.runs = 0


# --- start-up -------------------------------------------------------------------------------------


def _wall(fn, least: int, most: int) -> Sample:
    return measure(fn, least=least, most=most, budget=60.0, target=0.05, clock=time.perf_counter)


def bench_startup(quick: bool) -> None:
    """The measures of bench/startup.py, each in fresh processes, run in turn."""
    runs = 11 if quick else 31
    with tempfile.TemporaryDirectory() as cache:
        todo = startup.measures(cache)
        todo["console to its first question, first screen cached"]()  # fills the cache
        times: dict[str, list[float]] = {name: [] for name in todo}
        for _ in range(runs):
            for name, fn in todo.items():
                times[name].append(fn())
    notes = {
        "`expert --help`": "process start to exit; target under 200 ms",
        "console to its first question, first screen cached": "to the line 'Q1.'; every start after the first; target under 200 ms",
        "console to its first question, no cache": "the first start after installing or changing the package",
    }
    for name, taken in times.items():
        row(f"start-up: {name} (wall)", Sample(taken).text(), note=notes.get(name, ""))
    least, most = (5, 11) if quick else (11, 31)
    with tempfile.TemporaryDirectory() as tmp:
        clp = Path(tmp) / "kb.clp"
        clp.write_text(export_clips(default_knowledge_base()), encoding="utf-8")
        load = f"import clips; e = clips.Environment(); e.load({str(clp)!r}); print('ready?')"
        clips_py = _wall(lambda: subprocess.run([PYTHON, "-c", load], check=True, capture_output=True), least, most)
        native = ""
        if shutil.which("clips"):
            batch = Path(tmp) / "start.bat"
            batch.write_text(f'(load "{clp}")\n(exit)\n')
            native = " / " + _wall(lambda: subprocess.run(["clips", "-f", str(batch)], check=True, capture_output=True), least, most).text() + " (clips binary)"
        row("start-up: load the exported KB (wall)", clips=clips_py.text() + " (python+clipspy)" + native, note="CLIPS has no console of ours")


# --- one consultation -----------------------------------------------------------------------------


def bench_consult(quick: bool) -> None:
    kb = default_knowledge_base()
    most = 200 if quick else 1000
    expert.consult(RICH_CASE)  # compiled once, as a long-running process would have it
    engine, shipped = bare_engine(kb), bare_engine(kb, shipped=True)
    clips = FreshClips(kb)
    n = len(expert.consult(RICH_CASE).fired)
    counts = {run_bare(engine, RICH_CASE), run_bare(shipped, RICH_CASE), len(clips.run(RICH_CASE).firings)}

    def ours_engine():
        with GC_PAUSED():
            run_bare(engine, RICH_CASE)

    lib, eng, exp, traced, lean = measure_together(
        [lambda: expert.consult(RICH_CASE), ours_engine, lambda: run_bare(shipped, RICH_CASE), lambda: clips.run(RICH_CASE),
         lambda: clips.count_findings(RICH_CASE)],
        least=30, most=most, budget=60.0, between=clips.renew)
    row(f"consultation, rich case ({len(RICH_CASE)} facts, {n} firings): `expert.consult`", lib.text(), eng.text(), exp.text(),
        traced.text() + " (with trace)", ratio(lib, traced), "" if counts == {n} else f"firing counts differ: {sorted(counts)}")
    # The CLIPS column above reads every finding and trace line back into Python and normalizes them
    # for comparison (ClipsEngine.run, as the differential tests need); that is our adapter's work.
    row("consultation: the same, CLIPS with trace only", lib.text(), clips=lean.text() + " (trace kept, findings counted)",
        ratio=ratio(lib, lean), note="CLIPS as its user runs it: reset, assert, run; nothing turned into Python values")

    session = expert.Session()
    for fact in RICH_CASE:
        session.tell(fact)
    session.run()
    report = session.report()
    users = [ref for ref in report.facts]
    # The causes of each fact, as the recorder hands them to build_report during a run (without
    # them it would work them out itself, which a consultation does not).
    causes = {ref.id: fact_causes(ref) for ref in [*report.facts, *report.derived]}
    report_time = measure(lambda: build_report(kb, users, report.fired, session.facts, causes), least=30, most=most)
    row("consultation: of which `build_report` (report.py, evidence.py)", report_time.text(),
        note=f"{report_time.median / lib.median:.0%} of `expert.consult`; not the engine")
    untraced_engine = FreshClips(kb, trace=False)
    rerun, untraced = measure_together([session.run, lambda: untraced_engine.count_findings(RICH_CASE)], least=30, most=most,
                                       between=untraced_engine.renew)
    row("consultation: `Session.run` again on the same engine", rerun.text(), clips=untraced.text() + " (no trace)",
        ratio=ratio(rerun, untraced))

    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp) / "case.json"
        case.write_text(json.dumps({"facts": fact_dicts(RICH_CASE)}))
        cli = _wall(lambda: subprocess.run([PYTHON, "-m", "expert", "consult", str(case)], cwd=ROOT, check=True, capture_output=True), 5, 15)
        native = ""
        if shutil.which("clips"):
            clp = Path(tmp) / "kb.clp"
            clp.write_text(export_clips(kb) + "\n" + deffacts(RICH_CASE), encoding="utf-8")
            batch = Path(tmp) / "run.bat"
            batch.write_text(f'(load "{clp}")\n(reset)\n(run)\n(facts)\n(exit)\n')
            native = _wall(lambda: subprocess.run(["clips", "-f", str(batch)], check=True, capture_output=True), 5, 15).text() + " (clips binary, load+run)"
        row("consultation: `expert consult CASE.json`, whole process (wall)", cli.text(), clips=native)


# --- per answer -----------------------------------------------------------------------------------


def bench_answers(sessions: int) -> None:
    """A console session as the library sees it: after each answer, tell + run."""
    kb = default_knowledge_base()
    expert.consult(RICH_CASE)
    ours, theirs = [], []
    for _ in range(sessions):
        engine = ClipsEngine(kb)  # a new environment each session (see FreshClips)
        session = expert.Session()
        settle()
        for fact in RICH_CASE:
            start = CLOCK()
            session.tell(fact)
            session.run()
            settle()
            ours.append(CLOCK() - start)
        engine.env.reset()
        for fact in RICH_CASE:
            start = CLOCK()
            engine._templates[fact.kind].assert_fact(**_slots(fact))
            engine.env.run()
            settle()
            theirs.append(CLOCK() - start)
    p95 = lambda xs: statistics.quantiles(xs, n=20)[-1]  # noqa: E731
    row(f"per answer (tell + run), {len(ours)} answers: median", Sample(ours).text(), clips=Sample(theirs).text() + " (assert + run, no trace)",
        ratio=ratio(statistics.median(ours), statistics.median(theirs)),
        note="ours runs every fact told again (a run re-derives all); CLIPS adds one fact to its agenda")
    row("per answer: 95th percentile", ms(p95(ours)), clips=ms(p95(theirs)))


def _slots(fact):
    from expert.kb.clips import _slot_values

    return _slot_values(fact)


# --- throughput -----------------------------------------------------------------------------------


def _consult_all(cases) -> int:
    return sum(len(expert.consult(c).fired) for c in cases)


def _rate(count: int, sample: Sample) -> str:
    rates = sorted(count / t for t in sample.times)
    return f"{count / sample.median:.0f} /s ±{sample.spread:.0%} ({rates[0]:.0f}-{rates[-1]:.0f}, n={len(rates)})"


def bench_throughput(count: int, least: int, most: int, budget: float = 300.0) -> None:
    """Passes through the cases, a hundred at a time, each engine in turn on each hundred: a rate
    per pass, the median, spread and range of the passes shown. Passes are added, from `least` up
    to `most`, until every engine's spread is within 5 % or `budget` seconds have gone. The engines
    take turns at going first on a hundred, so that none always follows the same one (whatever
    one leaves in the caches falls on each alike)."""
    kb = default_knowledge_base()
    cases = generated_cases(count)
    engine, shipped, clips = bare_engine(kb), bare_engine(kb, shipped=True), FreshClips(kb)

    def ours_all(chunk):
        for case in chunk:
            expert.consult(case)

    def engine_all(chunk):
        with GC_PAUSED():
            for case in chunk:
                run_bare(engine, case)

    def clips_all(chunk):
        for case in chunk:
            clips.run(case)

    def shipped_all(chunk):
        for case in chunk:
            run_bare(shipped, case)

    firings = _consult_all(cases)
    every = [ours_all, engine_all, clips_all, shipped_all]
    totals: list[list[float]] = [[] for _ in every]
    started = time.perf_counter()
    settle()
    while True:
        took = [0.0] * len(every)
        for turn, i in enumerate(range(0, count, 100)):
            chunk = cases[i:i + 100]
            first = turn % len(every)
            for k in [*range(first, len(every)), *range(first)]:
                start = CLOCK()
                every[k](chunk)
                settle()
                took[k] += CLOCK() - start
            clips.renew()
        for total, t in zip(totals, took):
            total.append(t)
        passes = len(totals[0])
        steady = all(Sample(t).spread <= 0.05 for t in totals)
        if passes >= most or (passes >= least and (steady or time.perf_counter() - started > budget)):
            break
    lib, eng, theirs, exp = (Sample(t) for t in totals)
    row(f"throughput, {count} generated cases ({firings} firings), library, 1 process", _rate(count, lib), _rate(count, eng),
        _rate(count, exp), _rate(count, theirs), ratio(lib, theirs), "rate: median of passes ±spread (slowest-fastest, passes)")
    workers = os.cpu_count() or 1
    chunks = [cases[i::workers] for i in range(workers)]

    def pooled():
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(_consult_all, chunks)

    many = measure(pooled, least=least, most=least, clock=time.perf_counter)
    row(f"throughput, library, {workers} processes (wall)", _rate(count, many), note="includes pool start")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cases"
        folder.mkdir()
        for i, case in enumerate(cases):
            (folder / f"case{i:04d}.json").write_text(json.dumps({"facts": fact_dicts(case)}))
        for n in (1, workers):
            log = Path(tmp) / f"audit{n}.jsonl"
            try:
                took, peak_kb, cpu = audit_process(ROOT, folder, log, n)
            except RuntimeError as exc:
                row(f"throughput, `expert audit --workers {n}`", "failed: " + str(exc)[:80])
            else:
                row(f"throughput, `expert audit --workers {n}` (wall)", f"{count / took:.0f} /s (n=1)",
                    note=f"whole process, log written; {count / cpu:.0f} /s of its CPU time; peak memory "
                    f"{peak_kb / 1024:.0f} MB (bench/audit_memory.py: 5,000 cases)")


# --- scaling --------------------------------------------------------------------------------------


def bench_scaling(factors: list[int], case_factors: list[int]) -> None:
    kb = default_knowledge_base()
    for factor in factors:
        big = scaled_knowledge_base(kb, factor)
        _scaling_row(f"KB x{factor} ({len(big.rules)} rules), rich case", big, RICH_CASE)
    for factor in case_factors:
        case = bigger_case(RICH_CASE, factor)
        _scaling_row(f"case x{factor} ({len(case)} facts), real KB", kb, case)


def _scaled_runs(fns, first: float) -> list[Sample]:
    """More runs where a run is short; runs of over a minute are measured once."""
    if first > MINUTE:
        return [Sample([t]) for t in _once(fns)]
    return measure_together(fns, least=3, most=15 if first < 1 else 5, budget=max(20.0, 8 * first))


def _once(fns) -> list[float]:
    times = []
    for fn in fns:
        start = CLOCK()
        fn()
        times.append(CLOCK() - start)
    return times


def _side_by_side(kb, case):
    """Ours, our engine alone and CLIPS built in one process and run in turn."""
    start = CLOCK()
    session = expert.Session(kb, max_firings=10**7)
    build = CLOCK() - start
    for fact in case:
        session.tell(fact)
    start = CLOCK()
    engine = bare_engine(kb)
    engine_build = CLOCK() - start
    clips = FreshClips(kb, every=10**9)  # at most a few dozen runs: never renewed
    load = clips.load

    def engine_run():
        with GC_PAUSED():
            return run_bare(engine, case)

    session.run()
    report = session.report()
    users = list(report.facts)
    # The report of the last run built again: the share of `ours` that is report.py and evidence.py.
    fns = [session.run, engine_run, lambda: clips.run(case, limit=10**7), lambda: build_report(kb, users, report.fired, session.facts),
           lambda: clips.count_findings(case, limit=10**7)]
    first = max(_once(fns))
    ours, alone, theirs, report_time, lean = _scaled_runs(fns, first)
    firings = {len(report.fired), engine_run(), len(clips.run(case, limit=10**7).firings)}
    return ours, alone, theirs, report_time, lean, build, engine_build, load, len(report.fired), firings


def _shipped(kb, case):
    start = CLOCK()
    engine = bare_engine(kb, shipped=True)
    build = CLOCK() - start
    fns = [lambda: run_bare(engine, case)]
    return _scaled_runs(fns, max(_once(fns)))[0], build, run_bare(engine, case)


def _in_child(fn, *args, limit: float):
    """Run fn in a forked process; None if it has not finished within `limit` seconds."""
    pool = multiprocessing.get_context("fork").Pool(1)
    try:
        return pool.apply_async(fn, args).get(timeout=limit)
    except multiprocessing.TimeoutError:
        return None
    finally:
        pool.terminate()


def _scaling_row(label, kb, case) -> None:
    limit = 5 * MINUTE
    together = _in_child(_side_by_side, kb, case, limit=limit)
    shipped = _in_child(_shipped, kb, case, limit=limit)
    stopped = f"stopped: the build and first runs took over {limit / MINUTE:.0f} min"
    if together is None:
        row(f"scaling: {label}", stopped, stopped, "", stopped)
        return
    ours, alone, theirs, report_time, lean, build, engine_build, load, n, firings = together
    if shipped:
        firings.add(shipped[2])
    note = f"{n} firings" + (f"; firing counts differ: {sorted(firings)}" if len(firings) > 1 else "")
    row(f"scaling: {label}",
        f"{ours.text()} (report {ms(report_time.median)}; build {ms(build)})",
        f"{alone.text()} (build {ms(engine_build)})",
        f"{shipped[0].text()} (build {ms(shipped[1])})" if shipped else stopped,
        f"{theirs.text()} (load {ms(load)}); trace only {lean.text()}",
        f"{ratio(ours, theirs)}; engine only {ratio(alone, theirs)}; to trace only {ratio(ours, lean)}",
        note)


SECTIONS = {"startup", "consult", "answers", "throughput", "scaling"}


def main() -> None:
    global CLOCK
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(sorted(SECTIONS)))
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    args = parser.parse_args()
    if args.clock == "wall":
        CLOCK = time.perf_counter
    only = set(args.only.split(","))
    quick = args.quick
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    commit += " (with uncommitted changes)" if dirty else ""
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, load average {_load()}")
    print(f"code: {ROOT} at commit {commit or '?'}; knowledge base: {len(default_knowledge_base().rules)} rules; "
          f"in-process clock: {'CPU time (process_time)' if args.clock == 'cpu' else 'wall time'}\n")
    print("| measure | ours | ours, engine only | experta as shipped | CLIPS | ours / CLIPS | note |\n|---|---|---|---|---|---|---|")
    if "startup" in only:
        bench_startup(quick)
    if "consult" in only:
        bench_consult(quick)
    if "answers" in only:
        bench_answers(5 if quick else 30)
    if "throughput" in only:
        bench_throughput(200 if quick else 1000, 3 if quick else 5, 3 if quick else 15)
    if "scaling" in only:
        bench_scaling([1, 10] if quick else [1, 10, 50], [1, 10] if quick else [1, 10, 100])
    print(f"\nload average after: {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"


if __name__ == "__main__":
    main()
