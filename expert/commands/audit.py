"""`expert audit`: log consultations to a tamper-evident file, and verify, replay or count it.

    expert audit CASE.json|DIR|GLOB... --log FILE.jsonl [--include-facts] [--workers N]
    expert audit verify FILE.jsonl [--head HASH]
    expert audit replay FILE.jsonl
    expert audit stats FILE.jsonl [--format text|json]

The verbs are sub-commands of `audit`; anything else in their place starts the list of case
files (the implicit verb `run`: `expert audit run CASES...` is the same). A case file that is
named like a verb is given as ./verify.
"""

import argparse
import json
import sys

from expert.audit import verify_log
from expert.batch import audit_to_log, expand_cases
from expert.replay import log_stats, replay_log

VERBS = ("verify", "replay", "stats")
DEFAULT_VERB = "run"


class _AnyName:
    """The choices of the verb position: every word is accepted, as a verb or as a case file."""

    def __contains__(self, key) -> bool:
        return True

    def __iter__(self):
        return iter(())


class _VerbOrCases(argparse._SubParsersAction):
    """Sub-commands whose first word, when it is not a verb, is the first case file of `run`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = _AnyName()

    def __call__(self, parser, namespace, values, option_string=None):
        if values[0] not in self._name_parser_map:
            values = [DEFAULT_VERB, *values]
        super().__call__(parser, namespace, values, option_string)


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="log consultations to a tamper-evident file; verify, replay or count a log",
        usage="\n".join(line.strip() for line in __doc__.split("\n\n")[1].splitlines()).replace(
            "\nexpert", "\n       expert"
        ),
        description="Log one JSON Lines record per consultation (UTC time, versions, knowledge-base hash, "
        "case hash, every firing with its matched facts, conclusions and citations), each chained to the "
        "one before it by SHA-256; verify the chain, replay the records, or count how often each rule fired.",
        epilog="Without a verb, the arguments are case files, folders (every .json inside) or globs. "
        "Run 'expert audit verify --help' (or replay, stats) for each verb.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.register("action", "verb_or_cases", _VerbOrCases)
    verbs = parser.add_subparsers(action="verb_or_cases", dest="verb", metavar="CASE...|verify|replay|stats")
    verbs.required = True

    run_cases = verbs.add_parser(
        DEFAULT_VERB,
        prog=f"{parser.prog} {DEFAULT_VERB}",
        help="audit case files (the default: `expert audit CASE...`)",
        description="Consult each case file and append one record per case to the log, continuing its chain. "
        "Records come out in the order of the arguments (folders and globs sorted), whatever --workers is. "
        "A batch is logged whole or not at all: one bad case file stops it before anything is written.",
    )
    run_cases.add_argument("cases", nargs="+", metavar="CASE", help="a case file, a folder of them, or a glob")
    run_cases.add_argument("--log", required=True, metavar="FILE.jsonl", help="the audit log to append to")
    run_cases.add_argument(
        "--include-facts",
        action="store_true",
        help="put each case's facts and file name in its record (personal health data) so that it can be replayed",
    )
    run_cases.add_argument(
        "--workers", type=_workers, default=1, metavar="N", help="consult in N processes (default: 1)"
    )
    run_cases.set_defaults(handler=run_audit)

    verify = verbs.add_parser(
        "verify",
        prog=f"{parser.prog} verify",
        help="check the log's hash chain; name the first record that fails",
        description="Check every record: canonical, matching its own hash, numbered in order and carrying "
        "the hash of the record before it. Exit 0 when the chain is sound, 1 naming the first record that "
        "fails. Note the printed head hash: given back with --head, it also detects records cut off the end.",
    )
    verify.add_argument("log", metavar="FILE.jsonl")
    verify.add_argument("--head", metavar="HASH", help="the hash the log's last record must have")
    verify.set_defaults(handler=run_verify)

    replay = verbs.add_parser(
        "replay",
        prog=f"{parser.prog} replay",
        help="re-run every record that holds its facts and compare",
        description="Re-run each record made with --include-facts and say, per record, whether the same rules "
        "fired in the same order on the same facts with the same conclusions and citations. A record made "
        "under another knowledge base is reported as such, not as a failure. The chain is verified first. "
        "Exit 1 if any record differs or the chain is broken.",
    )
    replay.add_argument("log", metavar="FILE.jsonl")
    replay.set_defaults(handler=run_replay)

    stats = verbs.add_parser(
        "stats",
        prog=f"{parser.prog} stats",
        help="how often each rule fired, and which rules never fired",
        description="Count the firings of each rule over the log, and list the rules of the current "
        "knowledge base that never fired. A broken chain is warned of on stderr.",
    )
    stats.add_argument("log", metavar="FILE.jsonl")
    stats.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    stats.set_defaults(handler=run_stats)


def _progress_printer():
    """A progress line on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        sys.stderr.write(f"\raudited {done}/{total} cases{end}")
        sys.stderr.flush()

    return show


def _records(count: int) -> str:
    return f"{count} record{'s' if count != 1 else ''}"


def run_audit(args: argparse.Namespace, out) -> int:
    paths = expand_cases(args.cases)
    records = audit_to_log(
        args.log,
        paths,
        include_facts=args.include_facts,
        workers=args.workers,
        progress=_progress_printer(),
    )
    firings = sum(len(r.firings) for r in records)
    numbers = f"record {records[0].seq}" if len(records) == 1 else f"records {records[0].seq}-{records[-1].seq}"
    out.write(
        f"appended {_records(len(records))} ({firings} firings) to {args.log}: "
        f"{numbers}, head {records[-1].hash}\n"
    )
    return 0


def run_verify(args: argparse.Namespace, out) -> int:
    result = verify_log(args.log, expected_head=args.head)
    if result.ok:
        out.write(f"{args.log}: sound: {_records(result.records)}, head {result.head or 'none (empty log)'}\n")
        return 0
    out.write(f"{args.log}: BROKEN: {result.problem}\n")
    out.write(f"{_records(result.records)} before it verified\n")
    return 1


# Per status: how a record is reported, and how the summary counts it.
_REPLAY_LABELS = {
    "identical": ("identical", "identical"),
    "different": ("DIFFERENT", "different"),
    "other_knowledge_base": (
        "not replayed: made under another knowledge base",
        "not replayed (another knowledge base)",
    ),
    "no_facts": ("not replayed: recorded without its facts (--include-facts)", "not replayed (without facts)"),
    "invalid_facts": ("FAILED: its facts are not accepted now", "failed"),
}


def _chain_is_sound(log: str) -> bool:
    """Verify the log before reading it back; a broken chain is said on stderr, as replay and stats go on."""
    result = verify_log(log)
    if not result.ok:
        sys.stderr.write(
            f"expert: warning: {log}: BROKEN: {result.problem}; what follows is not vouched for "
            "(run `expert audit verify`)\n"
        )
    return result.ok


def run_replay(args: argparse.Namespace, out) -> int:
    sound = _chain_is_sound(args.log)
    results = replay_log(args.log)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
        out.write(f"record {result.record}: {_REPLAY_LABELS[result.status][0]}\n")
        for line in result.differences:
            out.write(f"  {line}\n")
    summary = ", ".join(f"{counts[s]} {_REPLAY_LABELS[s][1]}" for s in _REPLAY_LABELS if s in counts)
    out.write(f"{_records(len(results))}: {summary or 'none'}\n")
    return 1 if not sound or any(r.failed for r in results) else 0


def run_stats(args: argparse.Namespace, out) -> int:
    _chain_is_sound(args.log)
    stats = log_stats(args.log)
    if args.format == "json":
        out.write(json.dumps(stats.model_dump(mode="json"), indent=2) + "\n")
        return 0
    out.write(f"{_records(stats.records)}, {stats.firings} firings, {len(stats.knowledge_bases)} knowledge base(s)\n")
    if stats.fired:
        width = max(len(c.rule) for c in stats.fired)
        out.write(f"\n{'rule':<{width}}  firings  records\n")
        for count in stats.fired:
            gone = "  (not in the current knowledge base)" if not count.in_knowledge_base else ""
            out.write(f"{count.rule:<{width}}  {count.firings:>7}  {count.records:>7}{gone}\n")
    out.write(f"\nnever fired: {len(stats.never_fired)} rule{'s' if len(stats.never_fired) != 1 else ''}\n")
    for rule in stats.never_fired:
        out.write(f"  {rule}\n")
    return 0
