"""Ours / CLIPS at several sizes of knowledge base, all measured in the same rounds.

    uv run python bench/ratio.py                  # KB x1 and x10, 150 rounds (about 30 s)
    uv run python bench/ratio.py --factors 1 10 50 --rounds 60 --repeat 3

The question is whether the ratio grows with the knowledge base, and two figures measured minutes
apart on this kind of machine differ by more than that. So every round runs ours and CLIPS at every
size once each, in a new random order (none always runs after another's garbage or in its cache),
and each run collects its own youngest garbage inside its own time (bench/run.py's `settle`). The
smallest knowledge base is run ten times a round, its time divided by ten. CLIPS is renewed every
100 runs outside the time measured (bench/run.py's FreshClips: clipspy leaks as it asserts).

Ours is `Session.run` on a session told the rich case (engine, firing record and report); CLIPS is
the exported knowledge base with its firing trace. Prints medians, the ratio at each size, and with
--repeat, each repetition on its own line. Asserts nothing.
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


def contenders(factors: list[int]) -> tuple[dict, list]:
    """(name -> (run, repeats)) for ours and CLIPS at each factor, and CLIPS's renewers."""
    kb = default_knowledge_base()
    runs, renewers = {}, []
    for factor in factors:
        scaled = scaled_knowledge_base(kb, factor)
        session = expert.Session(scaled, max_firings=10**7)
        for fact in RICH_CASE:
            session.tell(fact)
        session.run()
        clips = FreshClips(scaled, every=100)
        renewers.append(clips.renew)
        repeats = 10 if factor == min(factors) else 1
        runs[(factor, "ours")] = (session.run, repeats)
        runs[(factor, "CLIPS")] = (lambda clips=clips: clips.run(RICH_CASE, limit=10**7), repeats)
    return runs, renewers


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
    runs, renewers = contenders(args.factors)
    print("| pass | " + " | ".join(f"x{f}: ours, CLIPS, ratio" for f in args.factors) + " |")
    print("|---" * (len(args.factors) + 1) + "|")
    for n in range(args.repeat):
        medians = one_pass(runs, renewers, args.rounds)
        cells = []
        for f in args.factors:
            ours, clips = medians[(f, "ours")], medians[(f, "CLIPS")]
            cells.append(f"{ours * 1000:.2f} ms, {clips * 1000:.2f} ms, **x{ours / clips:.3f}**")
        print(f"| {n + 1} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
