"""Faults injected into the audit log: a full disk, a failing or interrupted write, readers racing writers.

A batch is appended whole or not at all: whatever stops the write, the log is cut back to what it
held before, under the same lock, and still verifies; the next append continues its chain. A
verifier that reads while a record is half written waits for the writer instead of calling the
log broken.
"""

import errno
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import bounded
import expert
import expert.audit.log
from expert.audit.log import append_records, audit_record, verify_log
from expert.cli import main
from tests.test_audit import CASES, lines_of, write_cases

ROOT = Path(__file__).resolve().parent.parent


def expert_process(*args: str, limit: int | None = None) -> subprocess.CompletedProcess:
    """`python -m expert ARGS` in a child; with `limit`, no file it writes may grow past that many bytes."""

    def set_limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return bounded.run(
        [sys.executable, "-m", "expert", *args],
        f"`expert {' '.join(args)}` to end",
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=set_limit if limit is not None else None,
    )


def one_record() -> expert.AuditRecord:
    return audit_record(expert.consult(CASES["a_magnesium.json"]), include_facts=True)


@pytest.fixture
def cases(tmp_path) -> Path:
    write_cases(tmp_path / "cases")
    return tmp_path / "cases"


@pytest.fixture
def small_log(tmp_path, cases) -> Path:
    """A sound log of one record, made by the command (so that its case-hash key exists beside it)."""
    path = tmp_path / "audit.jsonl"
    assert main(["audit", str(cases / "a_magnesium.json"), "--log", str(path), "--include-facts"]) == 0
    return path


def assert_one_line_without_traceback(err: str) -> None:
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


class TestFullDisk:
    def test_a_file_size_limit_reached_mid_batch_leaves_the_log_as_it_was(self, small_log, cases):
        before = small_log.read_bytes()
        # Room for part of the batch, not all of it: the write fails half way through a record.
        done = expert_process("audit", str(cases), "--log", str(small_log), "--include-facts", limit=len(before) + 3000)
        assert done.returncode == 1, done.stdout + done.stderr
        assert_one_line_without_traceback(done.stderr)
        assert "nothing of this batch was written" in done.stderr
        assert done.stdout == ""
        assert small_log.read_bytes() == before
        assert verify_log(small_log).ok
        # Given room again, the same batch goes in and continues the chain.
        assert main(["audit", str(cases), "--log", str(small_log), "--include-facts"]) == 0
        result = verify_log(small_log)
        assert result.ok and result.records == 1 + len(CASES)

    def test_dev_full_as_the_log_is_one_line_and_nothing_else(self, cases):
        done = expert_process("audit", str(cases), "--log", "/dev/full")
        assert done.returncode == 1
        assert_one_line_without_traceback(done.stderr)
        assert done.stderr.startswith("expert: /dev/full: cannot be written: ")
        assert done.stdout == ""

    @pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG, errno.EIO])
    def test_a_failing_write_cuts_the_log_back(self, small_log, cases, monkeypatch, capsys, code):
        before = small_log.read_bytes()
        real_write = os.write

        def fails_half_way(fd, data):
            if fd > 2 and len(data) > 100:  # the log, not the test's own output
                real_write(fd, bytes(data[: len(data) // 2]))
                raise OSError(code, os.strerror(code))
            return real_write(fd, data)

        monkeypatch.setattr(os, "write", fails_half_way)
        assert main(["audit", str(cases), "--log", str(small_log)]) == 1
        monkeypatch.undo()
        err = capsys.readouterr().err
        assert_one_line_without_traceback(err)
        assert os.strerror(code) in err
        assert small_log.read_bytes() == before
        assert verify_log(small_log).ok
        assert main(["audit", str(cases), "--log", str(small_log)]) == 0
        assert verify_log(small_log).records == 1 + len(CASES)

    def test_a_failing_fsync_cuts_the_log_back(self, small_log, monkeypatch):
        before = small_log.read_bytes()

        def fails(fd):
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        monkeypatch.setattr(os, "fsync", fails)
        with pytest.raises(expert.AuditError, match="nothing of this batch was written"):
            append_records(small_log, [one_record()])
        monkeypatch.undo()
        assert small_log.read_bytes() == before

    def test_short_writes_are_finished(self, small_log, monkeypatch):
        real_write = os.write

        def a_little_at_a_time(fd, data):
            return real_write(fd, bytes(data[:700]))

        monkeypatch.setattr(os, "write", a_little_at_a_time)
        append_records(small_log, [one_record(), one_record()])
        monkeypatch.undo()
        assert verify_log(small_log).records == 3

    def test_an_interrupted_write_leaves_the_log_as_it_was(self, small_log, monkeypatch):
        before = small_log.read_bytes()
        real_write = os.write

        def interrupted(fd, data):
            real_write(fd, bytes(data[:50]))
            raise KeyboardInterrupt

        monkeypatch.setattr(os, "write", interrupted)
        with pytest.raises(KeyboardInterrupt):
            append_records(small_log, [one_record()])
        monkeypatch.undo()
        assert small_log.read_bytes() == before
        assert verify_log(small_log).ok

    def test_a_log_that_cannot_be_cut_back_says_so(self, small_log, monkeypatch):
        def fails_after_a_byte(fd, data):
            os.pwrite(fd, b"{", os.fstat(fd).st_size)
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        def cannot_cut(fd, length):
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        monkeypatch.setattr(os, "write", fails_after_a_byte)
        monkeypatch.setattr(os, "ftruncate", cannot_cut)
        with pytest.raises(expert.AuditError, match="could not be cut back"):
            append_records(small_log, [one_record()])
        monkeypatch.undo()
        assert not verify_log(small_log).ok


# The writer holds the log's exclusive lock with half a record written, as `append_records` does
# in the middle of a write, until the verifier has either finished (reading half a record) or is
# seen in /proc/locks waiting for the lock.
HALF_WRITER = """
import fcntl, os, sys, time
log, half, done, verifier, line = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].encode()
def verifier_waits():
    with open("/proc/locks") as locks:
        return any("->" in entry and entry.split()[5 if entry.split()[1] == "->" else 4] == verifier for entry in locks)
with open(log, "ab") as handle:
    fcntl.flock(handle, fcntl.LOCK_EX)
    handle.write(line[: len(line) // 2]); handle.flush()
    open(half, "w").close()
    end = time.monotonic() + DEADLINE
    while not os.path.exists(done) and not verifier_waits():
        if time.monotonic() > end:
            sys.exit("the verifier neither finished nor waited")
        time.sleep(0.002)
    handle.write(line[len(line) // 2 :] + b"\\n"); handle.flush()
    fcntl.flock(handle, fcntl.LOCK_UN)
"""

VERIFIER = """
import json, os, sys, time
log, half, done = sys.argv[1], sys.argv[2], sys.argv[3]
end = time.monotonic() + DEADLINE
while not os.path.exists(half):
    if time.monotonic() > end:
        sys.exit("the writer never started")
    time.sleep(0.002)
from expert.audit.log import verify_log
result = verify_log(log)
with open(done + ".tmp", "w") as out:
    json.dump({"ok": result.ok, "problem": result.problem, "records": result.records}, out)
os.rename(done + ".tmp", done)
"""


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs /proc/locks to see a process wait for a lock")
def test_verify_waits_for_a_record_being_written_instead_of_calling_it_broken(tmp_path):
    log = tmp_path / "audit.jsonl"
    first, second = append_records(log, [one_record(), one_record()])
    # The next record, sealed in place, is written by hand so that it can stop half way.
    log.write_bytes(first.line().encode() + b"\n")
    half, done = tmp_path / "half", tmp_path / "done"
    # The verifier starts first (and imports the library) so that its pid can be watched for.
    verifier = subprocess.Popen(
        [sys.executable, "-c", f"DEADLINE = {bounded.DEADLINE}\n" + VERIFIER, str(log), str(half), str(done)],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", f"DEADLINE = {bounded.DEADLINE}\n" + HALF_WRITER, str(log), str(half), str(done), str(verifier.pid), second.line()],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert bounded.wait(writer, "the writer to finish its record once the verifier waits") == 0, writer.stderr.read()
        assert bounded.wait(verifier, "the verifier to finish once the record is whole") == 0, verifier.stderr.read()
    finally:
        for process in (writer, verifier):
            if process.poll() is None:
                process.kill()
                process.wait()
        writer.stderr.close()
        verifier.stderr.close()
    result = json.loads(done.read_text())
    assert result == {"ok": True, "problem": None, "records": 2}


APPENDER = """
import sys
from pathlib import Path
import expert
from expert.audit.log import append_records, audit_record
record = audit_record(expert.consult([{"kind": "symptom", "name": "twitching"}]), include_facts=True)
for _ in range(int(sys.argv[2])):
    append_records(sys.argv[1], [record, record])
Path(sys.argv[3]).touch()
"""


def test_verifiers_racing_an_appender_always_find_the_log_sound(tmp_path):
    log = tmp_path / "race.jsonl"
    append_records(log, [one_record()])
    finished = tmp_path / "finished"
    appender = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(log), "25", str(finished)], cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    try:
        checks = 0
        bounded.until(lambda: len(lines_of(log)) > 1, "the appender's first batch in the log", process=appender)
        while not finished.exists() or checks < 5:
            result = verify_log(log)
            assert result.ok, result.problem
            assert result.records % 2 == 1  # whole batches of two, after the first record
            checks += 1
            if appender.poll() is not None and not finished.exists():
                pytest.fail(f"the appender failed: {appender.stderr.read()}")
        assert bounded.wait(appender, "the appender to end once it has appended 25 times") == 0, appender.stderr.read()
    finally:
        if appender.poll() is None:
            appender.kill()
            appender.wait()
        appender.stderr.close()
    assert verify_log(log).records == 51


class TestReadingTheLog:
    """The log is read only as a regular file: /dev/zero would be read without end, a FIFO would hang."""

    def test_an_audit_log_that_is_a_device_or_a_fifo_is_one_line(self, tmp_path):
        fifo = tmp_path / "log.fifo"
        os.mkfifo(fifo)
        # One child for all eight: a regression that hangs or eats memory cannot take the suite.
        script = (
            "import contextlib, io, json, sys\n"
            "from expert.cli import main\n"
            "out = []\n"
            "for argv in json.loads(sys.argv[1]):\n"
            "    err = io.StringIO()\n"
            "    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):\n"
            "        out.append([main(argv), err.getvalue()])\n"
            "print(json.dumps(out))\n"
        )
        calls = [["audit", verb, log] for verb in ("verify", "replay", "stats", "diff") for log in ("/dev/zero", str(fifo))]
        done = bounded.run([sys.executable, "-c", script, json.dumps(calls)],
                           "each audit command to refuse a device or a FIFO, not read it", cwd=ROOT, capture_output=True,
                           text=True)
        assert done.returncode == 0, done.stderr
        for call, (code, err) in zip(calls, json.loads(done.stdout)):
            assert code == 1 and err.startswith(f"expert: {call[2]}: not a regular file ("), (call, err)
            assert len(err.splitlines()) == 1
        with pytest.raises(expert.AuditError, match="not a regular file"):
            verify_log(fifo)

    def test_a_log_past_the_cap_is_refused_before_it_is_read(self, tmp_path, monkeypatch):
        monkeypatch.setattr(expert.audit.log, "MAX_LOG_BYTES", 100)
        path = tmp_path / "big.jsonl"
        append_records(path, [one_record()])
        with pytest.raises(expert.AuditError, match="larger than 100 bytes, more than an audit log can be"):
            verify_log(path)


def test_two_appenders_at_once_never_fork_the_chain(tmp_path):
    log = tmp_path / "shared.jsonl"
    append_records(log, [one_record()])
    done = [tmp_path / "done-1", tmp_path / "done-2"]
    appenders = [
        subprocess.Popen([sys.executable, "-c", APPENDER, str(log), "6", str(flag)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for flag in done
    ]
    try:
        for appender in appenders:
            assert bounded.wait(appender, "each appender to end after its 6 batches") == 0, appender.stderr.read()
    finally:
        for appender in appenders:
            if appender.poll() is None:
                appender.kill()
                appender.wait()
            appender.stderr.close()
    result = verify_log(log)
    assert result.ok and result.records == 1 + 2 * 6 * 2


def test_a_signed_batch_that_cannot_be_written_leaves_neither_records_nor_signature(small_log, monkeypatch):
    before = small_log.read_bytes()
    real_write = os.write

    def full_after_the_records(fd, data):
        cut = bytes(data).rindex(b'"kind":"signature"')  # the records fit, the signature does not
        real_write(fd, bytes(data[:cut]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full_after_the_records)
    with pytest.raises(expert.AuditError, match="nothing of this batch was written"):
        append_records(small_log, [one_record(), one_record()], signing_key=expert.SigningKey.generate())
    monkeypatch.undo()
    assert small_log.read_bytes() == before
