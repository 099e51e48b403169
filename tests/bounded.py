"""Waiting on a child process in a test without a timeout that can flake.

A test never measures how long a child takes: a child that works ends when it ends, however
loaded the machine. DEADLINE is only a guard against a child that hangs, so it is long (minutes),
and when it trips the test fails with an assertion that names what was expected and shows what
the child had written so far, not with a bare `subprocess.TimeoutExpired` from deep in the
standard library.

    done = run([sys.executable, "-m", "expert", "rules"], "`expert rules` to end", capture_output=True, text=True)
    status = wait(child, "the console to exit 130 after Ctrl-C")
"""

import os
import signal
import subprocess
import time

# Seconds. A consultation in a child ends within seconds even on a loaded two-core machine; only a
# child that hangs waits this out.
DEADLINE = 600


def _tail(output) -> str:
    if output is None:
        return "(not captured)"
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
    return repr(text[-600:]) if text else "nothing"


def _hung(what: str, command, stdout, stderr) -> AssertionError:
    shown = command if isinstance(command, str) else " ".join(str(part) for part in command)
    if len(shown) > 200:
        shown = shown[:200] + "..."
    return AssertionError(
        f"expected {what}, but the child ({shown}) was still running after {DEADLINE} s and was killed; "
        f"its stdout so far: {_tail(stdout)}; its stderr so far: {_tail(stderr)}"
    )


def run(command, what: str, **options) -> subprocess.CompletedProcess:
    """`subprocess.run(command, **options)`, failing with what was expected if the child hangs."""
    try:
        return subprocess.run(command, timeout=DEADLINE, **options)
    except subprocess.TimeoutExpired as hung:
        raise _hung(what, command, hung.stdout, hung.stderr) from None


def _kill(child: subprocess.Popen) -> None:
    """Kill a hung child, and its whole group if it leads one of its own (its workers with it)."""
    try:
        if os.getpgid(child.pid) == child.pid:
            os.killpg(child.pid, signal.SIGKILL)
        else:
            child.kill()
    except ProcessLookupError:
        pass


def communicate(child: subprocess.Popen, what: str, input=None) -> tuple:
    """`child.communicate(input)`, failing with what was expected, and the output so far, if it hangs."""
    try:
        return child.communicate(input, timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        _kill(child)
        out, err = child.communicate()
        raise _hung(what, child.args, out, err) from None


def wait(child: subprocess.Popen, what: str) -> int:
    """`child.wait()`, failing with what was expected if it hangs. Pipes the test still reads from
    are left to it; after a kill, what is left in them is shown in the failure."""
    try:
        return child.wait(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        _kill(child)
        child.wait()
        leftover = [stream.read() if stream is not None and not stream.closed else None
                    for stream in (child.stdout, child.stderr)]
        raise _hung(what, child.args, *leftover) from None


def until(condition, what: str, process: subprocess.Popen | None = None):
    """Poll `condition` until it holds: fail naming `what` if `process` ends first or after DEADLINE.

    Returns what `condition` returned. The pause between looks grows from a millisecond to 50 ms, so a
    quick condition is seen at once and a slow one costs little CPU."""
    end = time.monotonic() + DEADLINE
    pause = 0.001
    while not (held := condition()):
        if process is not None and process.poll() is not None:
            if held := condition():
                break
            leftover = [stream.read() if stream is not None and not stream.closed else None
                        for stream in (process.stdout, process.stderr)]
            raise AssertionError(f"expected {what}, but the child ended first (exit {process.returncode}); "
                                 f"its stdout: {_tail(leftover[0])}; its stderr: {_tail(leftover[1])}")
        if time.monotonic() > end:
            raise AssertionError(f"expected {what}, but it had not happened after {DEADLINE} s")
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    return held
