"""`expert audit`: log consultations to a tamper-evident file, and verify, replay or count it.

    expert audit CASE.json|DIR|GLOB... --log FILE.jsonl [--include-facts] [--workers N] [--key-file FILE] [--sign KEYFILE]
    expert audit verify FILE.jsonl [--head HASH] [--public-key KEYFILE.pub]
    expert audit replay FILE.jsonl [--key-file FILE]
    expert audit stats FILE.jsonl [--format text|json]
    expert audit diff FILE.jsonl [--kb DIR] [--ledger FILE] [--key-file FILE] [--format text|json]
    expert audit keygen KEYFILE

The verbs are sub-commands of `audit`; anything else in their place starts the list of case
files (the implicit verb `run`: `expert audit run CASES...` is the same). A case file that is
named like a verb is given as ./verify.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing for `expert --help`

from expert.errors import InvalidKnowledgeBaseError
from expert.util.textsafe import safe_lines, safe_text

# The audit trail's modules (pydantic, cryptography) are imported by the verb that runs, so that
# `expert --help` and the other commands do not wait for them.
if TYPE_CHECKING:
    from expert.audit.diff import DiffConclusion, LogDiff, RecordDiff
    from expert.audit.keys import CaseKey
    from expert.rules.knowledge import KnowledgeBase

# expert.audit.keys.CASE_KEY_ENV, spelt out here for the help text (tests/test_startup.py checks
# the two agree).
CASE_KEY_ENV = "EXPERT_AUDIT_KEY_FILE"

VERBS = ("verify", "replay", "stats", "diff", "keygen")
DEFAULT_VERB = "run"
# Nothing failed, but not everything could be checked: an unsigned tail, a record not replayed.
EXIT_INCOMPLETE = 3


class _SafeOut:
    """Text output with every control character from the log or a file name shown as an escape."""

    def __init__(self, out):
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(safe_lines(text))


def _warn(text: str) -> None:
    sys.stderr.write(f"expert: {safe_text(text)}\n")


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
        "keyed case hash, every firing with its matched facts, conclusions and citations), each chained to the "
        "one before it by SHA-256, optionally signed; verify the chain and its signatures, replay the records, "
        "count how often each rule fired, or compare the records with a changed knowledge base.",
        epilog="Without a verb, the arguments are case files, folders (every .json inside) or globs. "
        "Run 'expert audit verify --help' (or replay, stats, diff, keygen) for each verb.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.register("action", "verb_or_cases", _VerbOrCases)
    verbs = parser.add_subparsers(
        action="verb_or_cases", dest="verb", metavar="CASE...|verify|replay|stats|diff|keygen"
    )
    verbs.required = True

    run_cases = verbs.add_parser(
        DEFAULT_VERB,
        prog=f"{parser.prog} {DEFAULT_VERB}",
        help="audit case files (the default: `expert audit CASE...`)",
        description="Consult each case file and append one record per case to the log, continuing its chain. "
        "Records come out in the order of the arguments (folders and globs sorted), whatever --workers is. "
        "A batch is logged whole or not at all: one bad case file stops it before anything is written, and a "
        "write that fails (a full disk) is cut back, leaving the log as it was. Each case hash is HMAC-SHA256 "
        "under a secret key (--key-file), made on first use beside the log as FILE.jsonl.key when none is named.",
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
    _key_file_argument(run_cases, "made if missing; default: $" + CASE_KEY_ENV + ", else FILE.jsonl.key beside the log")
    run_cases.add_argument(
        "--sign",
        metavar="KEYFILE",
        help="sign the log's head after the batch with this private key (from `expert audit keygen`), "
        "in the same write as the batch",
    )
    run_cases.set_defaults(handler=run_audit)

    verify = verbs.add_parser(
        "verify",
        prog=f"{parser.prog} verify",
        help="check the log's hash chain; name the first record that fails",
        description="Check every record: canonical, matching its own hash, numbered in order and carrying "
        "the hash of the record before it. Exit 0 when the chain is sound, 1 naming the first record that "
        "fails. Note the printed head hash: given back with --head, it also detects records cut off the end. "
        "With --public-key, the log must also be signed by that key: a signature that does not verify, or no "
        "signature by it at all, is BROKEN (exit 1); records after its last signature are named as unsigned "
        f"(exit {EXIT_INCOMPLETE}). Needs no case-hash key.",
    )
    verify.add_argument("log", metavar="FILE.jsonl")
    verify.add_argument("--head", metavar="HASH", help="the hash the log's last record must have")
    verify.add_argument(
        "--public-key", metavar="KEYFILE.pub", help="check the log's signatures with this public key"
    )
    verify.set_defaults(handler=run_verify)

    replay = verbs.add_parser(
        "replay",
        prog=f"{parser.prog} replay",
        help="re-run every record that holds its facts and compare",
        description="Re-run each record made with --include-facts and say, per record, whether the same rules "
        "fired in the same order on the same facts with the same conclusions and citations. A record made "
        "under another knowledge base is reported as such, not as a failure. The chain is verified first. "
        "Exit 1 if any record differs or the chain is broken; "
        f"{EXIT_INCOMPLETE} if none differs but some could not be replayed (recorded without facts, or under "
        "another knowledge base) or their case hash could not be checked (no key); 0 when every record "
        "replayed identical.",
    )
    replay.add_argument("log", metavar="FILE.jsonl")
    _key_file_argument(replay, "default: $" + CASE_KEY_ENV + ", else FILE.jsonl.key beside the log if there is one")
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

    diff = verbs.add_parser(
        "diff",
        prog=f"{parser.prog} diff",
        help="the conclusions each record would gain or lose under the knowledge base now",
        description="Re-run each record made with --include-facts under the current knowledge base (or the "
        "one in --kb DIR) and print, per record, the conclusions lost and gained: a conclusion is a rule with "
        "its bindings and the findings it concluded. Records without their facts, or whose facts are no "
        "longer accepted, are listed but not compared. Exit 0 whether or not anything changed; 1 when the "
        "log cannot be read or its chain is broken (it is still compared, with a warning on stderr).",
    )
    diff.add_argument("log", metavar="FILE.jsonl")
    diff.add_argument("--kb", metavar="DIR", help="compare with the rule files in DIR instead of the project's own")
    diff.add_argument("--ledger", metavar="FILE", help="the coverage ledger to load with --kb")
    _key_file_argument(diff, "default: $" + CASE_KEY_ENV + ", else FILE.jsonl.key beside the log if there is one")
    diff.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    diff.set_defaults(handler=run_diff)

    keygen = verbs.add_parser(
        "keygen",
        prog=f"{parser.prog} keygen",
        help="make a signing key pair: KEYFILE (private, mode 0600) and KEYFILE.pub",
        description="Make an Ed25519 key pair for signing audit logs: the private key in KEYFILE (mode 0600; "
        "give it to `expert audit ... --sign KEYFILE`, and to nobody else) and the public key in KEYFILE.pub "
        "(give it to whoever verifies: `expert audit verify LOG --public-key KEYFILE.pub`). An existing file "
        "is never replaced.",
    )
    keygen.add_argument("keyfile", metavar="KEYFILE")
    keygen.set_defaults(handler=run_keygen)


def _key_file_argument(parser, default: str) -> None:
    parser.add_argument(
        "--key-file",
        metavar="FILE",
        help=f"the secret key of the case hashes (HMAC-SHA256), 64 hex digits ({default})",
    )


def _named_case_key_file(args) -> Path | None:
    named = args.key_file or os.environ.get(CASE_KEY_ENV) or None
    return Path(named) if named else None


def _case_key_for_writing(args) -> tuple[CaseKey, Path | None]:
    """The key to hash the batch's cases with: the one named, else the log's own; and where to
    keep it when it is new (None when it exists). A new key is kept only once the batch is good."""
    from expert.audit.keys import CaseKey, default_case_key_path

    path = _named_case_key_file(args) or default_case_key_path(args.log)
    if path.exists() or path.is_symlink():
        return CaseKey.read(path), None
    return CaseKey.generate(), path


def _case_key_for_reading(args) -> CaseKey | None:
    """The key named, else the log's own if it has one beside it; None when there is none."""
    from expert.audit.keys import CaseKey, default_case_key_path

    named = _named_case_key_file(args)
    if named is not None:
        return CaseKey.read(named)
    beside = default_case_key_path(args.log)
    return CaseKey.read(beside) if beside.exists() else None


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
    from expert.audit.batch import audit_into, expand_cases
    from expert.audit.keys import SigningKey
    from expert.audit.log import AuditBatch, check_appendable

    out = _SafeOut(out)
    paths = expand_cases(args.cases)
    # Said before any work: a log that cannot be one, or a signing key that cannot be used.
    check_appendable(args.log)
    signing_key = SigningKey.read(args.sign) if args.sign else None
    case_key, new_key_file = _case_key_for_writing(args)
    # The records wait on disk, not in memory, until every case is consulted (any number of cases).
    with AuditBatch(args.log) as batch:
        audit_into(
            batch, paths, include_facts=args.include_facts, workers=args.workers, progress=_progress_printer(),
            case_key=case_key,
        )
        if new_key_file is not None:
            case_key.save(new_key_file)
            _warn(
                f"made the case-hash key {new_key_file} (mode 0600): keep it, and apart from the log; "
                "replay and diff need it to check case hashes, verify does not"
            )
        appended = batch.append(signing_key=signing_key)
    numbers = _span(appended.first, appended.last) if appended.records else "no record"
    signed = f", signed in record {appended.signature}" if appended.signature else ""
    out.write(
        f"appended {_records(appended.records)} ({appended.firings} firings) to {args.log}: "
        f"{numbers}{signed}, head {appended.head}\n"
    )
    return 0


def _span(first: int, last: int) -> str:
    return f"record {first}" if first == last else f"records {first}-{last}"


def run_verify(args: argparse.Namespace, out) -> int:
    from expert.audit.keys import PublicKey
    from expert.audit.log import verify_log

    out = _SafeOut(out)
    public_key = PublicKey.read(args.public_key) if args.public_key else None
    result = verify_log(args.log, expected_head=args.head, public_key=public_key)
    held = _records(result.records)
    if result.signatures:
        held += f" ({result.signatures} of them {'a signature' if result.signatures == 1 else 'signatures'})"
    if not result.ok:
        out.write(f"{args.log}: BROKEN: {result.problem}\n")
        if result.failed_record is not None:
            out.write(f"{_records(result.records)} before it verified\n")
        else:
            out.write(f"its chain of {held} is sound, but no signature by this key vouches for it\n")
        return 1
    out.write(f"{args.log}: sound: {held}, head {result.head or 'none (empty log)'}\n")
    if public_key is None:
        if result.signatures:
            out.write("signatures not checked: give --public-key KEYFILE.pub\n")
        return 0
    for other in result.other_keys:
        out.write(f"note: signed also by another key, not checked: {other[:24]}\u2026\n")
    if result.unsigned:
        out.write(
            f"UNSIGNED: {_span(result.signed_to + 1, result.records)} "
            f"{'come' if result.unsigned != 1 else 'comes'} after the last signature by the key "
            f"{public_key.short}\u2026 (record {result.signed_to}): nothing vouches for "
            f"{'them' if result.unsigned != 1 else 'it'}; anyone could have added "
            f"{'them' if result.unsigned != 1 else 'it'}\n"
        )
        return EXIT_INCOMPLETE
    out.write(f"signed: every record, by the key {public_key.short}\u2026 (last signature: record {result.signed_to})\n")
    return 0


def run_keygen(args: argparse.Namespace, out) -> int:
    from expert.audit.keys import SigningKey

    key = SigningKey.generate()
    private, public = key.write(args.keyfile)
    out = _SafeOut(out)
    out.write(f"wrote the signing key {private} (mode 0600: keep it secret) and its public key {public}\n")
    out.write(f"fingerprint {key.public.fingerprint}\n")
    return 0


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


# Why a replayed or compared record's case hash was not checked.
_UNCHECKED = {
    "no_key": "its case hash was not checked: it is keyed, and no key was given (--key-file)",
    "other_key": "its case hash was not checked: it was made with another key than the one given",
}


def _chain_is_sound(log: str) -> bool:
    """Verify the log before reading it back; a broken chain is said on stderr, as replay and stats go on."""
    from expert.audit.log import verify_log

    result = verify_log(log)
    if not result.ok:
        _warn(
            f"warning: {log}: BROKEN: {result.problem}; what follows is not vouched for (run `expert audit verify`)"
        )
    return result.ok


def run_replay(args: argparse.Namespace, out) -> int:
    from expert.audit.replay import replay_log

    out = _SafeOut(out)
    case_key = _case_key_for_reading(args)
    sound = _chain_is_sound(args.log)
    results = replay_log(args.log, case_key=case_key)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
        label = _REPLAY_LABELS[result.status][0]
        if result.status in ("identical", "different") and result.case_hash in _UNCHECKED:
            label += f", but {_UNCHECKED[result.case_hash]}"
        out.write(f"record {result.record}: {label}\n")
        for line in result.differences:
            out.write(f"  {line}\n")
    summary = ", ".join(f"{counts[s]} {_REPLAY_LABELS[s][1]}" for s in _REPLAY_LABELS if s in counts)
    unchecked = sum(1 for r in results if r.case_hash in _UNCHECKED)
    if unchecked:
        summary += f"; {unchecked} case hash{'es' if unchecked != 1 else ''} not checked (no key, or another)"
    out.write(f"{_records(len(results))}: {summary or 'none'}\n")
    if not sound or any(r.failed for r in results):
        return 1
    return EXIT_INCOMPLETE if any(not r.checked for r in results) else 0


def run_stats(args: argparse.Namespace, out) -> int:
    from expert.audit.replay import log_stats

    _chain_is_sound(args.log)
    stats = log_stats(args.log)
    if args.format == "json":
        out.write(json.dumps(stats.model_dump(mode="json"), indent=2) + "\n")
        return 0
    out = _SafeOut(out)
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


WIDTH = 80


def _wrap(out, text: str, indent: str = "", hang: str = "    ") -> None:
    """One paragraph wrapped at 80 columns, its continuation lines indented further."""
    lines = textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent + hang, break_on_hyphens=False
    )
    out.write("\n".join(lines or [indent]) + "\n")


def _short(hash_: str) -> str:
    return hash_[:12] + "\u2026"


def _load_given_knowledge_base(kb_dir: str | None, ledger: str | None) -> KnowledgeBase:
    """The knowledge base of --kb and --ledger; InvalidKnowledgeBaseError, one line a fault, if it does not load."""
    import tomllib

    from expert.rules.knowledge import KnowledgeBaseError, load_knowledge_base

    problems = []
    if kb_dir is not None and not Path(kb_dir).is_dir():
        problems.append(f"{kb_dir}: no such folder")
    elif kb_dir is not None and not any(Path(kb_dir).glob("*.toml")):
        problems.append(f"{kb_dir}: holds no rule file (*.toml)")
    if ledger is not None and not Path(ledger).is_file():
        problems.append(f"{ledger}: no such file")
    if problems:
        raise InvalidKnowledgeBaseError(problems)
    try:
        return load_knowledge_base(kb_dir, ledger)
    except KnowledgeBaseError as exc:
        raise InvalidKnowledgeBaseError(exc.problems) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidKnowledgeBaseError([f"{ledger}: not valid TOML: {exc}"]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidKnowledgeBaseError([str(exc)]) from exc


def _name(conclusion: DiffConclusion) -> str:
    """A rule with its bindings: `advice.blood_test (nutrient=magnesium)`."""
    if not conclusion.bindings:
        return conclusion.rule
    return f"{conclusion.rule} ({', '.join(f'{k}={v}' for k, v in conclusion.bindings.items())})"


def _findings(conclusion: DiffConclusion) -> str:
    """What a conclusion concluded, for telling apart two of one rule with the same bindings."""
    if not conclusion.concluded:
        return "concluding nothing"
    parts = []
    for finding in conclusion.concluded:
        rest = ", ".join(f"{k}={v}" for k, v in finding.items() if k != "name")
        parts.append(f"{finding.get('name', '?')} ({rest})" if rest else finding.get("name", "?"))
    return "concluding " + "; ".join(parts)


def _write_record(out, result: RecordDiff, mixed: bool, current: str) -> None:
    notes = [result.case_file] if result.case_file else []
    if mixed:
        same = result.made_under == current
        notes.append("made under " + ("the same knowledge base" if same else f"knowledge base {_short(result.made_under)}"))
    where = f" ({'; '.join(notes)})" if notes else ""
    if result.status == "no_facts":
        _wrap(out, f"record {result.record}{where}: not compared: recorded without its facts (--include-facts)")
        return
    if result.status == "invalid_facts":
        _wrap(out, f"record {result.record}{where}: not compared: its facts are not accepted now")
        for problem in result.problems:
            _wrap(out, problem, indent="  ")
        return
    unchecked = f" ({_UNCHECKED[result.case_hash]})" if result.case_hash in _UNCHECKED else ""
    _wrap(out, f"record {result.record}{where}: {result.status}{unchecked}")
    # A rule with the same bindings on both sides concluded other findings: say which.
    both = {(c.rule, tuple(c.bindings.items())) for c in result.lost} & {
        (c.rule, tuple(c.bindings.items())) for c in result.gained
    }
    for lost in result.lost:
        what = lost.title if lost.in_knowledge_base else "this rule no longer exists in the knowledge base"
        if (lost.rule, tuple(lost.bindings.items())) in both:
            what += f" ({_findings(lost)})"
        _wrap(out, f"lost   {_name(lost)}: {what}", indent="  ", hang="       ")
    for gained in result.gained:
        what = gained.text
        if (gained.rule, tuple(gained.bindings.items())) in both:
            what += f" ({_findings(gained)})"
        _wrap(out, f"gained {_name(gained)}: {what}", indent="  ", hang="       ")


def write_diff(out, diff: LogDiff) -> None:
    """A log's diff as text for an 80-column terminal."""
    recorded, current = diff.knowledge_base.recorded, diff.knowledge_base.current
    mixed = len(recorded) > 1
    if mixed:
        _wrap(out, f"compared with knowledge base {_short(current)}")
    elif recorded:
        records = "record" if len(diff.records) == 1 else "records"
        if recorded[0] == current:
            _wrap(out, f"{records} made under knowledge base {_short(current)}, the one compared with")
        else:
            _wrap(out, f"{records} made under knowledge base {_short(recorded[0])}, compared with {_short(current)}")
    for result in diff.records:
        _write_record(out, result, mixed, current)
    unchanged = diff.compared - diff.changed
    _wrap(
        out,
        f"{_records(len(diff.records))}: {diff.changed} changed, {unchanged} unchanged, "
        f"{diff.not_compared} not compared",
    )


def run_diff(args: argparse.Namespace, out) -> int:
    from expert.audit.diff import diff_log

    given = args.kb is not None or args.ledger is not None
    try:
        # The project's knowledge base is loaded by diff_log, after the log is read: a log that
        # cannot be read is said first.
        kb = _load_given_knowledge_base(args.kb, args.ledger) if given else None
        diff = diff_log(args.log, kb, case_key=_case_key_for_reading(args))
    except InvalidKnowledgeBaseError as exc:
        if args.kb:
            where = f"the knowledge base in {args.kb}"
        else:
            where = "the project's knowledge base" + (f" with the ledger {args.ledger}" if args.ledger else "")
        for line in [f"{where} does not load:", *exc.problems]:
            _warn(line)
        return 1
    if not diff.sound:
        _warn(f"warning: {args.log}: BROKEN: {diff.broken}; what follows is not vouched for (run `expert audit verify`)")
    unchecked = sum(1 for r in diff.records if r.case_hash in _UNCHECKED)
    if unchecked:
        _warn(
            f"warning: the case hashes of {_records(unchecked)} were not checked (no key, or another than they "
            "were made with): their facts are compared without knowing they are the ones recorded"
        )
    if args.format == "json":
        out.write(json.dumps(diff.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
    else:
        write_diff(_SafeOut(out), diff)
    return 0 if diff.sound else 1
