"""The engine: rules compiled into experta, run over a person's facts, every firing recorded."""

# Every experta import of this library is in this subpackage (compiler, matcher, _quiet), so this
# runs before any of them: experta as published pins frozendict 1.2, which needs a hand on
# Python 3.10 and later (see _compat).
from expert.engine._compat import import_frozendict as _import_frozendict

_import_frozendict()
