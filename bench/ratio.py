"""Ours / CLIPS at several sizes of knowledge base, all measured in the same rounds.

    uv run python bench/ratio.py                  # KB x1 and x10, 150 rounds (about 30 s)
    uv run python bench/ratio.py --factors 1 10 50 --rounds 60 --repeat 3

The question is whether the ratio grows with the knowledge base, and two figures measured minutes
apart on this kind of machine differ by more than that. So every round runs ours and CLIPS at every
size once each, in a new random order (none always runs after another's garbage or in its cache),
and each run collects its own youngest garbage inside its own time (bench/run.py's `settle`). The
smallest knowledge base is run ten times a round, its time divided by ten. CLIPS is renewed every
100 runs outside the time measured (bench/run.py's FreshClips: clipspy leaks as it asserts).

Ours is `Session.run` on a session told the rich case (engine, firing record and report). CLIPS is
the exported knowledge base with its firing trace, timed two ways: `CLIPS` as the differential tests
run it (ClipsEngine.run: reset, assert, run, then every finding and trace line read back into
Python and turned into comparable tuples), and `CLIPS, trace only` as a CLIPS user would run it
(ClipsEngine.count_findings: reset, assert, run, the trace lines kept and the findings counted;
nothing turned into Python values). At 50 times the knowledge base the reading back is about half
of the first: it is our adapter's Python, not CLIPS, so the second is the fairer measure of CLIPS.
Prints medians, the ratio to each at each size, and with --repeat, each repetition on its own
line. Asserts nothing.

Then, from the medians of all passes, each run split into a cost a firing and a cost a run, as a
line through the smallest and the largest size: a run at a larger size costs its firings more
(`beyond`: the extra time over the extra firings), and what a run costs beyond its firings at the
smallest size is the rest (`fixed`). The firings are ours; CLIPS fires the same rules on the same
facts (tests/test_clips_differential.py). As the knowledge base grows, the ratio tends to the ratio
of the costs a firing, as long as those stay as they are; at the smallest size each side's cost a
run weighs in too.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import expert  # noqa: E402
from cases import RICH_CASE, scaled_knowledge_base  # noqa: E402
from expert.rules.knowledge import default_knowledge_base  # noqa: E402
from run import CLOCK, FreshClips, settle  # noqa: E402


def contenders(factors: list[int]) -> tuple[dict, list, dict]:
    """(name -> (run, repeats)) for ours and both CLIPS runs at each factor, CLIPS's renewers, and
    the firings of a run at each factor."""
    kb = default_knowledge_base()
    runs, renewers, firings = {}, [], {}
    for factor in factors:
        scaled = scaled_knowledge_base(kb, factor)
        session = expert.Session(scaled, max_firings=10**7)
        for fact in RICH_CASE:
            session.tell(fact)
        firings[factor] = len(session.run().report.fired)
        clips = FreshClips(scaled, every=100)
        renewers.append(clips.renew)
        repeats = 10 if factor == min(factors) else 1
        runs[(factor, "ours")] = (session.run, repeats)
        runs[(factor, "CLIPS")] = (lambda clips=clips: clips.run(RICH_CASE, limit=10**7), repeats)
        runs[(factor, "lean")] = (lambda clips=clips: clips.count_findings(RICH_CASE, limit=10**7), repeats)
    return runs, renewers, firings


def one_pass(runs: dict, renewers: list, rounds: int) -> dict:
    times = {name: [] for name in runs}
    order = list(runs)
    for fn, _ in runs.values():
        fn()
        settle()
    for _ in range(rounds):
        random.shuffle(order)
        for name in order:
            fn, repeats = runs[name]
            start = CLOCK()
            for _ in range(repeats):
                fn()
                settle()
            times[name].append((CLOCK() - start) / repeats)
        for renew in renewers:
            renew()
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=1, help="passes of all the rounds, each printed")
    args = parser.parse_args()
    runs, renewers, firings = contenders(args.factors)
    print("| pass | " + " | ".join(f"x{f}: ours; CLIPS, ratio; CLIPS trace only, ratio" for f in args.factors) + " |")
    print("|---" * (len(args.factors) + 1) + "|")
    passes = []
    for n in range(args.repeat):
        medians = one_pass(runs, renewers, args.rounds)
        passes.append(medians)
        cells = []
        for f in args.factors:
            ours, clips, lean = medians[(f, "ours")], medians[(f, "CLIPS")], medians[(f, "lean")]
            cells.append(f"{ours * 1000:.2f} ms; {clips * 1000:.2f} ms, **x{ours / clips:.3f}**; "
                         f"{lean * 1000:.2f} ms, **x{ours / lean:.3f}**")
        print(f"| {n + 1} | " + " | ".join(cells) + " |", flush=True)
    if len(args.factors) > 1:
        print()
        print(per_firing(passes, args.factors, firings))


def per_firing(passes: list[dict], factors: list[int], firings: dict) -> str:
    """A table of the time a firing at each size (a run's time over its firings; each side's median
    of the passes' medians), and the line through the smallest and largest size."""
    median = {name: statistics.median(p[name] for p in passes) for name in passes[0]}
    lines = ["| knowledge base | firings | ours a firing | CLIPS a firing | CLIPS, trace only, a firing |",
             "|---|---|---|---|---|"]
    for f in factors:
        ours, clips, lean = (median[(f, who)] / firings[f] for who in ("ours", "CLIPS", "lean"))
        lines.append(f"| x{f} | {firings[f]} | {ours * 1e6:.1f} us | {clips * 1e6:.1f} us | {lean * 1e6:.1f} us |")
    small, large = min(factors), max(factors)
    extra = firings[large] - firings[small]
    beyond, fixed = {}, {}
    for who in ("ours", "CLIPS", "lean"):
        beyond[who] = (median[(large, who)] - median[(small, who)]) / extra
        fixed[who] = median[(small, who)] - firings[small] * beyond[who]
    lines.append("")
    lines.append(
        f"x{small} to x{large}, medians of {len(passes)} pass(es): a firing beyond the first {firings[small]} costs "
        f"ours {beyond['ours'] * 1e6:.1f} us, CLIPS {beyond['CLIPS'] * 1e6:.1f} us "
        f"(x{beyond['ours'] / beyond['CLIPS']:.3f}: the ratio toward which a larger knowledge base tends), "
        f"CLIPS trace only {beyond['lean'] * 1e6:.1f} us (x{beyond['ours'] / beyond['lean']:.3f}); "
        f"a run beyond its firings costs ours {fixed['ours'] * 1e3:.2f} ms, CLIPS {fixed['CLIPS'] * 1e3:.2f} ms, "
        f"CLIPS trace only {fixed['lean'] * 1e3:.2f} ms"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
