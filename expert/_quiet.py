"""Import experta without letting it configure logging.

experta calls `logging.basicConfig()` when imported, which would give the root logger a handler
in any program that embeds this library. A placeholder handler makes that call a no-op, and is
removed again, so the root logger is left exactly as the program had it.
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

# experta's watchers log through "experta.*"; they stay silent unless a program asks to watch.
logging.getLogger("experta").addHandler(logging.NullHandler())
