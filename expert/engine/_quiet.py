"""Import experta without letting it configure logging, or log a person's facts to its host.

experta calls `logging.basicConfig()` when imported, which would give the root logger a handler
in any program that embeds this library. A placeholder handler makes that call a no-op, and is
removed again, so the root logger is left exactly as the program had it.

experta's watchers (`experta.watchers.FACTS`, `RULES`, `MATCH` ...) log every fact declared, with
its values, at INFO and DEBUG: a medication's name, a test result. Through the root logger they
would reach whatever handlers the host program set up (a host at DEBUG gets some 100 KB a
consultation). So the `experta` logger is shut: it propagates nothing, and its level is above
every message. A program that wants to watch the engine asks for it with
`expert.enable_engine_logging()`, knowing what it will log.
"""

import logging

_root = logging.getLogger()
_placeholder = logging.NullHandler()
_had_handlers = bool(_root.handlers)
if not _had_handlers:
    _root.addHandler(_placeholder)
try:
    import experta  # noqa: F401  (imported for its side effect being neutralised)
finally:
    if not _had_handlers:
        _root.removeHandler(_placeholder)

ENGINE_LOGGER = "experta"
# Above CRITICAL: no message of the engine's passes, whatever level the host gives the root.
_SHUT = logging.CRITICAL + 10

_engine = logging.getLogger(ENGINE_LOGGER)
_engine.addHandler(logging.NullHandler())


def enable_engine_logging(enabled: bool = True, *, level: int = logging.NOTSET) -> None:
    """Let experta's loggers (`experta.*`) reach the program's handlers, or shut them again.

    They log every fact declared, with its values, and every rule fired: personal health data.
    Enabled, they propagate to the root logger at `level` (NOTSET: whatever the root allows);
    `enable_engine_logging(False)` shuts them, as they are when the library is imported.
    """
    if not isinstance(enabled, bool):
        from expert.errors import InvalidArgumentError

        raise InvalidArgumentError(f"enabled: expected True or False, got {type(enabled).__name__}")
    _engine.propagate = enabled
    _engine.setLevel(level if enabled else _SHUT)


enable_engine_logging(False)
