"""Let experta 1.9.4, as published, import on the Python versions this library supports (3.11+).

experta 1.9.4 pins `frozendict==1.2` and `schema==0.6.7`, and pip or a uv project that adds this
one installs exactly those. schema 0.6.7 runs as it is. frozendict 1.2 does not: its module
defines `class frozendict(collections.Mapping)`, and `collections.Mapping` was removed in Python
3.10 (it lives on as `collections.abc.Mapping`), so `import experta` fails with an AttributeError.

The step here imports frozendict before experta does, with `collections.Mapping` lent for that
one import and taken back straight after. That is enough: frozendict 1.2 reads the name only in
its class statement (its methods use `collections` for nothing else), so once the class exists
the standard library can be put back as it was. frozendict 2.x needs none of this, and imports
the same way with the name present or not.

The other ways were worse. Setting `collections.Mapping` for good changes the standard library
for every program that embeds this one. Depending on frozendict 2 cannot be done from here:
experta's pin wins in pip, and a uv override applies only to the project that declares it.
Vendoring or forking experta would leave "experta as published" behind.
"""

import collections
import collections.abc
import sys


def import_frozendict() -> None:
    """Import frozendict for experta, lending it `collections.Mapping` only if Python lacks it.

    Does nothing when frozendict is imported already. A `collections.Mapping` that the host
    program put there itself is used and left alone. Any other failure to import frozendict
    propagates as it is: experta cannot run without it.
    """
    if "frozendict" in sys.modules:
        return
    lend = not hasattr(collections, "Mapping")
    if lend:
        collections.Mapping = collections.abc.Mapping
    try:
        import frozendict  # noqa: F401  (1.2 subclasses collections.Mapping as it is defined)
    finally:
        if lend:
            del collections.Mapping
