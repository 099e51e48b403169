"""Benchmark: how many questions a consultation takes, over realistic case files.

    uv run python bench/questions.py [CASE.json|DIR ...]

Runs `expert simulate` (the console's own interview, each question answered from the case, a
fact the case does not hold answered "no") on every case file given, by default
examples/*.json and examples/cases/*.json, and prints the number of questions asked per case,
their distribution (median, quartiles, maximum, a histogram), and how many cases end with
exactly the conclusions `expert consult` reaches. Not a test: it asserts nothing; the targets
(issue 9: a median of at most 12 questions, none above 20, every case the same as consult) are
printed beside the figures.
"""

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from expert.util.casefile import read_case  # noqa: E402
from expert.console.simulate import simulate  # noqa: E402


def case_files(targets: list[str]) -> list[Path]:
    if not targets:
        return sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "examples" / "cases").glob("*.json"))
    out = []
    for target in targets:
        path = Path(target)
        out += sorted(path.glob("*.json")) if path.is_dir() else [path]
    return out


def main(argv: list[str]) -> None:
    rows = []
    for path in case_files(argv):
        result = simulate(read_case(path))
        rows.append((path, result))
    counts = [r.count for _, r in rows]
    same = sum(r.same_as_consult for _, r in rows)
    print("| case | questions | same as consult |")
    print("|---|---:|---|")
    for path, r in rows:
        print(f"| {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} | {r.count} | {'yes' if r.same_as_consult else 'NO'} |")
    quartiles = statistics.quantiles(counts, n=4) if len(counts) > 1 else [counts[0]] * 3
    print()
    print(f"cases: {len(counts)}")
    print(f"questions: median {statistics.median(counts):g} (target at most 12), "
          f"quartiles {quartiles[0]:g} / {quartiles[2]:g}, min {min(counts)}, max {max(counts)} (target at most 20)")
    print(f"conclusions the same as expert consult: {same} of {len(rows)} (target: all)")
    print()
    print("histogram of questions per consultation:")
    for n in range(min(counts), max(counts) + 1):
        k = counts.count(n)
        print(f"  {n:>3} | {'#' * k} {k if k else ''}".rstrip())


if __name__ == "__main__":
    main(sys.argv[1:])
