"""Auditing many case files at once, in one process or several, with records in a fixed order.

`audit_to_log` keeps memory the same whatever the number of cases: each record goes to the
batch's temporary file as soon as it is made (expert.audit.log.AuditBatch), and the batch is
appended to the log at the end, whole or not at all.
"""

import glob
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from expert.audit.log import Appended, AuditBatch, AuditRecord, audit_record, check_appendable
from expert.util.casefile import read_case
from expert.errors import AuditError, InvalidFactError
from expert.audit.keys import CaseKey, SigningKey
from expert.engine.session import consult
from expert.rules.knowledge import KnowledgeBase, default_knowledge_base


def expand_cases(targets: Iterable[str]) -> list[Path]:
    """The case files named: files as given, folders' *.json (recursively) and globs, each sorted.

    The order of the arguments is kept; a file named twice is audited once.
    """
    paths: list[Path] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                raise AuditError(f"{target}: the folder holds no .json case file")
        elif path.exists() or not glob.has_magic(target):
            found = [path]
        else:
            found = sorted(Path(p) for p in glob.glob(target, recursive=True) if Path(p).is_file())
            if not found:
                raise AuditError(f"{target}: no case file matches")
        paths += found
    return list(dict.fromkeys(paths))


def audit_case(path: Path, kb: KnowledgeBase, include_facts: bool, case_key: CaseKey | None = None) -> AuditRecord:
    """Consult one case file and return its (not yet chained) record; InvalidFactError if it is bad."""
    report = consult(read_case(path), knowledge_base=kb)
    return audit_record(report, knowledge_base=kb, include_facts=include_facts, case_file=str(path), case_key=case_key)


# A worker process's knowledge base, set once when the worker starts.
_worker_kb: KnowledgeBase | None = None


def _init_worker(kb: KnowledgeBase) -> None:
    global _worker_kb
    _worker_kb = kb
    # Ctrl-C reaches every process of the terminal's group: the parent handles it for all.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _audit_or_problems(job: tuple[Path, bool, CaseKey | None], kb: KnowledgeBase) -> AuditRecord | list[str]:
    path, include_facts, case_key = job
    try:
        return audit_case(path, kb, include_facts, case_key)
    except InvalidFactError as exc:
        # Name the file in every line: facts[2].unit means little in a batch of a hundred.
        return [p if p.startswith(str(path)) else f"{path}: {p}" for p in exc.problems]


def _audit_in_worker(job: tuple[Path, bool, CaseKey | None]) -> AuditRecord | list[str]:
    return _audit_or_problems(job, _worker_kb)


def _outcomes(
    paths: list[Path], kb: KnowledgeBase, include_facts: bool, workers: int,
    progress: Callable[[int, int], None] | None, case_key: CaseKey | None,
) -> Iterator[AuditRecord | list[str]]:
    """Each case's record, or the lines of its faults, in the order of `paths` whatever `workers` is."""
    jobs = [(path, include_facts, case_key) for path in paths]
    if workers <= 1 or len(jobs) <= 1:
        outcomes: Iterable = (_audit_or_problems(job, kb) for job in jobs)
        yield from _counted(outcomes, len(jobs), progress)
        return
    # Leaving the pool's block terminates its workers: on Ctrl-C the batch stops at once
    # instead of waiting for workers that the interrupt has already stopped.
    with _pool_deaf_to_ctrl_c(workers, kb) as pool:
        chunk = max(1, min(64, len(jobs) // (workers * 8)))
        yield from _counted(pool.imap(_audit_in_worker, jobs, chunksize=chunk), len(jobs), progress)


def _pool_deaf_to_ctrl_c(workers: int, kb: KnowledgeBase):
    """A pool whose workers ignore Ctrl-C from their first instant: forked with SIGINT ignored,
    not only once their initializer runs (a Ctrl-C in between gave a worker's traceback). The
    parent, which handles Ctrl-C for all, has its own handler back as soon as they are forked."""
    context = multiprocessing.get_context()
    if threading.current_thread() is not threading.main_thread():
        return context.Pool(workers, initializer=_init_worker, initargs=(kb,))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return context.Pool(workers, initializer=_init_worker, initargs=(kb,))
    finally:
        signal.signal(signal.SIGINT, previous)


def _counted(outcomes: Iterable, total: int, progress: Callable[[int, int], None] | None) -> Iterator:
    for done, outcome in enumerate(outcomes, start=1):
        yield outcome
        if progress:
            progress(done, total)


def audit_cases(
    paths: list[Path],
    *,
    knowledge_base: KnowledgeBase | None = None,
    include_facts: bool = False,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    case_key: CaseKey | None = None,
) -> list[AuditRecord]:
    """Consult every case and return their records in the order of `paths`, whatever `workers` is.

    Every case is read before any record is returned: one bad case file raises InvalidFactError
    listing the faults of all of them, so that a batch is logged whole or not at all. With
    `case_key`, each record's case hash is keyed with it. The records are all held in memory;
    `audit_to_log` holds none.
    """
    kb = knowledge_base or default_knowledge_base()
    records, problems = [], []
    for outcome in _outcomes(paths, kb, include_facts, workers, progress, case_key):
        if isinstance(outcome, list):
            problems += outcome
        else:
            records.append(outcome)
    if problems:
        raise InvalidFactError(problems)
    return records


def audit_into(
    batch: AuditBatch,
    paths: list[Path],
    *,
    knowledge_base: KnowledgeBase | None = None,
    include_facts: bool = False,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    case_key: CaseKey | None = None,
) -> None:
    """Consult every case and add its record to `batch`, in the order of `paths` whatever `workers` is.

    As `audit_cases`, every case is read, and one bad case file raises InvalidFactError listing
    the faults of all of them (the batch is then not to be appended).
    """
    kb = knowledge_base or default_knowledge_base()
    problems: list[str] = []
    for outcome in _outcomes(paths, kb, include_facts, workers, progress, case_key):
        if isinstance(outcome, list):
            problems += outcome
        elif not problems:  # once a case is bad nothing will be appended: the rest are only checked
            batch.add(outcome)
    if problems:
        raise InvalidFactError(problems)


def audit_to_log(
    log: str | Path, paths: list[Path], *, signing_key: SigningKey | None = None, **options
) -> Appended:
    """Audit case files and append their records to a log, continuing its chain, in constant memory.

    The records wait in a temporary file beside the log until every case is consulted, then go in
    at once under the log's lock: whole, or (a bad case file, a full disk, Ctrl-C) not at all.
    With `signing_key`, a signature of the new head follows the batch, in the same write.
    `options` are those of `audit_into`.
    """
    check_appendable(log)  # said before any case is consulted
    with AuditBatch(log) as batch:
        audit_into(batch, paths, **options)
        return batch.append(signing_key=signing_key)
