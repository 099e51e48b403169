"""Mutation testing of the engine, the knowledge-base loader and checks, and the audit records.

    nice uv run --with 'mutmut>=3.8,<4' python bench/mutation.py              # every package, from scratch
    nice uv run --with 'mutmut>=3.8,<4' python bench/mutation.py audit        # one package, from scratch
    nice uv run --with 'mutmut>=3.8,<4' python bench/mutation.py 'expert.audit.record.x_seal*'   # again
    nice uv run --with 'mutmut>=3.8,<4' python bench/mutation.py --resume kb  # go on where a run was stopped
    nice uv run --with 'mutmut>=3.8,<4' python bench/mutation.py --tally      # the scores of the last runs

mutmut names each mutant after its file's path, and a mutant is switched on only in the module
of that name. In a checkout, facts/ and rules/ are imported as expert.facts and expert.rules, so
a mutant of rules/knowledge.py would be named rules.knowledge.* and never switch on: every test
would pass and it would look like a survivor. This script therefore copies the tree into
build/mutation/<package>/ laid out as the wheel installs it (expert/facts, expert/rules) and runs
mutmut there, with the settings in pyproject.toml's [tool.mutmut] (whose paths are in that layout).

A fresh run copies the last commit (HEAD), not the working tree: other people may be half-way
through an edit, and a score is worth something only if one can say which code it measured. The
commit is written into the copy (COMMIT) and printed with the scores.

Each package is run with the tests written for it (PACKAGES below), not every test that happens
to reach its code: every consultation reaches the engine, and a surviving mutant costs the whole
of its tests, so the run stays bounded only if those are few and quick.

Given mutant names (globs as mutmut takes them), it keeps the copy and its results and runs those
mutants again: the way to check that a new test kills a survivor. The code mutated, and the tests,
stay those of the commit the package's run was taken at (the knowledge base and its tests move on
meanwhile, and must not be judged against older code), except the package's contract test files
(tests/test_*_contract.py), where new tests for survivors go: those come from the working tree, so
a test not yet committed can be tried.

It ends with the score per package: killed, survived, equivalent (a survivor that MUTATION.md
names on a line that says "equivalent"), timeout, and the survivors nobody has triaged. It exits 1
if a survivor is untriaged, or if some mutated file has no killed mutant at all (which would mean
the mutants are not being switched on).
"""

import json
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ROOT / "build" / "mutation"
TRIAGE = ROOT / "MUTATION.md"

# What goes where in the copy: the wheel's layout (pyproject.toml, [tool.hatch.build.targets.wheel]).
# Some tests read the rule files by their path in a checkout, so rules/ is there too, as data:
# with expert/rules present, nothing imports it.
LAYOUT = [
    ("expert", "expert"),
    ("facts", "expert/facts"),
    ("rules", "expert/rules"),
    ("rules", "rules"),
    ("tests", "tests"),
    ("examples", "examples"),
    ("bench/mutation_plugin.py", "bench/mutation_plugin.py"),
    ("pyproject.toml", "pyproject.toml"),
    ("README.md", "README.md"),
]

# Each package: the files mutated (paths in the wheel's layout) and the tests its mutants face.
PACKAGES = {
    "rules": (
        ["expert/rules/knowledge.py", "expert/rules/schema.py", "expert/rules/corpus.py"],
        ["tests/test_corpus.py", "tests/test_rules.py", "tests/test_kb_loader_contract.py"],
    ),
    "kb": (
        ["expert/kb/check.py"],
        ["tests/test_kbcheck.py", "tests/test_kb_check_contract.py"],
    ),
    "audit": (
        ["expert/audit/record.py", "expert/audit/log.py"],
        ["tests/test_audit.py", "tests/test_audit_tamper.py", "tests/test_audit_diff.py", "tests/test_signing.py",
         "tests/test_audit_log_contract.py"],
    ),
    "engine": (
        ["expert/engine/compiler.py", "expert/engine/session.py", "expert/engine/recorder.py", "expert/engine/evidence.py"],
        ["tests/test_rules.py", "tests/test_chains.py", "tests/test_compiler.py", "tests/test_session.py",
         "tests/test_evidence.py", "tests/test_contradictions.py", "tests/test_engine_contract.py",
         "tests/test_run_machinery.py", "tests/test_agenda.py", "tests/test_report_costs.py", "tests/test_engine_logging.py"],
    ),
}

STATUSES = ("killed", "survived", "equivalent", "timeout", "no tests", "not checked", "other")


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache"))
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def head_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"git rev-parse HEAD failed: {done.stderr.strip() or 'is this a git checkout?'}")
    return done.stdout.strip()


def export_head(commit: str, into: Path) -> None:  # any commit, not only HEAD
    """The tree of one commit, written out as files (git archive), untouched by uncommitted edits."""
    with tempfile.TemporaryFile() as archive:
        done = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, stdout=archive,
                              stderr=subprocess.PIPE, text=False, check=False)
        if done.returncode:
            sys.exit(f"git archive {commit} failed: {done.stderr.decode(errors='replace').strip()}")
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(into, filter="data")


def lay_out(package: str, fresh: bool, head: Path | None = None, commit: str = "") -> Path:
    """The copy for one package's run; its pyproject.toml mutates that package with its own tests.

    Fresh, everything comes from `head` (the exported commit). Again, the tests are those of the
    commit the run was taken at, with the package's contract test files from the working tree; the
    plugin and the settings, which belong to the harness rather than to what is measured, too."""
    stage = STAGES / package
    if fresh and stage.exists():
        shutil.rmtree(stage)
    files, tests = PACKAGES[package]
    if fresh:
        for source, target in LAYOUT:
            _copy(head / source, stage / target)
        (stage / "COMMIT").write_text(commit + "\n", encoding="utf-8")
    else:
        if not (stage / "COMMIT").exists():
            sys.exit(f"build/mutation/{package} has no COMMIT: run the package afresh first")
        taken_at = (stage / "COMMIT").read_text(encoding="utf-8").strip()
        with tempfile.TemporaryDirectory() as exported:
            export_head(taken_at, Path(exported))
            shutil.rmtree(stage / "tests", ignore_errors=True)
            _copy(Path(exported) / "tests", stage / "tests")
        for test in tests:
            if test.endswith("_contract.py") and (ROOT / test).exists():
                _copy(ROOT / test, stage / test)
        # A helper module the contract tests import that did not exist at the commit.
        for helper in sorted((ROOT / "tests").glob("*.py")):
            if not helper.name.startswith("test_") and not (stage / "tests" / helper.name).exists():
                _copy(helper, stage / "tests" / helper.name)
        for source in ("pyproject.toml", "bench/mutation_plugin.py"):
            _copy(ROOT / source, stage / source)
    tests = [t for t in tests if (stage / t).exists()]
    config = (stage / "pyproject.toml").read_text(encoding="utf-8")
    config, mutated = re.subn(r"(?ms)^only_mutate = \[.*?\]$", f"only_mutate = {_toml_list(files)}", config)
    config, selected = re.subn(
        r"(?ms)^pytest_add_cli_args_test_selection = \[.*?\]$",
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}",
        config,
    )
    if not (mutated and selected):
        sys.exit("pyproject.toml's [tool.mutmut] has no only_mutate or pytest_add_cli_args_test_selection list")
    (stage / "pyproject.toml").write_text(config, encoding="utf-8")
    return stage


def run_mutmut(stage: Path, names: list[str], options: list[str]) -> int:
    mutmut = Path(sys.executable).parent / "mutmut"
    if not mutmut.exists():
        sys.exit("mutmut is not installed here: run this with `uv run --with 'mutmut>=3.8,<4' python bench/mutation.py`")
    return subprocess.run([str(mutmut), "run", *options, *names], cwd=stage, check=False).returncode


def equivalents() -> set[str]:
    """The mutants MUTATION.md calls equivalent: named on a line that says so."""
    if not TRIAGE.exists():
        return set()
    named = set()
    for line in TRIAGE.read_text(encoding="utf-8").splitlines():
        if "equivalent" in line.lower():
            named.update(re.findall(r"expert\.[\w.ǁ]+__mutmut_\d+", line))
    return named


def tally() -> tuple[dict[str, Counter], list[str], list[str]]:
    from mutmut.stats import status_by_exit_code

    declared = equivalents()
    scores: dict[str, Counter] = defaultdict(Counter)
    untriaged, unkilled_files = [], []
    for package in PACKAGES:
        mutants = STAGES / package / "mutants"
        for meta in sorted(mutants.rglob("*.py.meta")):
            relative = meta.relative_to(mutants).as_posix().removesuffix(".meta")
            codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
            killed_here = 0
            for name, code in codes.items():
                status = status_by_exit_code[code]
                if status == "survived" and name in declared:
                    status = "equivalent"
                elif status == "survived":
                    untriaged.append(name)
                if status not in STATUSES:
                    status = "other"
                killed_here += status == "killed"
                scores[package][status] += 1
            if codes and not killed_here:
                unkilled_files.append(relative)
    return scores, untriaged, unkilled_files


def print_scores(scores: dict[str, Counter]) -> None:
    print(f"{'package':<8}  " + "  ".join(f"{s:>11}" for s in STATUSES) + f"  {'score':>6}  commit")
    total: Counter = Counter()
    for package in PACKAGES:
        if package in scores:
            total.update(scores[package])
            print(_row(package, scores[package]) + f"  {_commit_of(package)}")
    print(_row("all", total))


def _commit_of(package: str) -> str:
    """The commit a package's last fresh run copied, shortened; '?' for a copy made before it was noted."""
    try:
        return (STAGES / package / "COMMIT").read_text(encoding="utf-8").strip()[:12] or "?"
    except OSError:
        return "?"


def _row(label: str, counts: Counter) -> str:
    judged = sum(counts.values()) - counts["equivalent"] - counts["not checked"]
    score = f"{100 * counts['killed'] / judged:.1f}%" if judged else "-"
    return f"{label:<8}  " + "  ".join(f"{counts[s]:>11}" for s in STATUSES) + f"  {score:>6}"


def _children_cpu() -> float:
    """CPU seconds used by the processes this one has waited for, theirs included: on a shared
    machine a fairer measure of a run than the wall clock."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _package_of(name: str) -> str:
    for package, (files, _) in PACKAGES.items():
        if any(name.startswith(f.removesuffix(".py").replace("/", ".") + ".") for f in files):
            return package
    sys.exit(f"{name}: not a mutant of any package here ({', '.join(PACKAGES)})")


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    # --max-children=N goes to mutmut; --tally only prints the scores of the runs already made.
    options = [a for a in argv[1:] if a.startswith("--max-children=")]
    unknown = [a for a in args if "." not in a and a not in PACKAGES]
    unknown += [a for a in argv[1:] if a.startswith("--") and a not in ("--tally", "--resume") and a not in options]
    if unknown:
        sys.exit(f"{unknown[0]}: not a package ({', '.join(PACKAGES)}), a mutant name, --max-children=N, --resume or --tally")
    # --resume: keep a package's copy and results (a run stopped with Ctrl-C keeps every result it
    # had), and check only the mutants that have none yet.
    resume = "--resume" in argv
    names = [a for a in args if "." in a]
    runs: dict[str, list[str]] = {}
    if "--tally" in argv:
        pass
    elif names:
        for name in names:
            runs.setdefault(_package_of(name), []).append(name)
    else:
        runs = {package: [] for package in (args or PACKAGES)}
    codes = {}
    with tempfile.TemporaryDirectory() as exported:
        head, commit = None, ""
        if not resume and any(not again for again in runs.values()):
            head, commit = Path(exported), head_commit()
            export_head(commit, head)
            print(f"mutating the code of commit {commit}", flush=True)
        for package, again in runs.items():
            started, cpu = time.monotonic(), _children_cpu()
            stage = lay_out(package, fresh=not (again or resume), head=head, commit=commit)
            codes[package] = run_mutmut(stage, again, options)
            print(f"\n{package}: mutmut exited {codes[package]} after {time.monotonic() - started:.0f} s of wall clock "
                  f"and {_children_cpu() - cpu:.0f} s of CPU (with the copy, the mutants' generation and mutmut's own test runs)\n")
    scores, untriaged, unkilled_files = tally()
    print_scores(scores)
    for name in untriaged:
        print(f"untriaged survivor: {name}   (cd build/mutation/{_package_of(name)} && mutmut show '{name}')")
    for relative in unkilled_files:
        print(f"no mutant of {relative} was killed: are its mutants switched on?")
    return 1 if any(codes.values()) or untriaged or unkilled_files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
