"""experta imports with frozendict 1.2 or 2.x, and the standard library is left as it was.

experta 1.9.4 as published pins frozendict 1.2, whose module subclasses `collections.Mapping`
(gone since Python 3.10). No network here: a stand-in package that does what frozendict 1.2 does
at import plays it, in a fresh interpreter; the frozendict installed in this environment (2.x
under uv) plays itself.
"""

import collections
import subprocess
import sys
import textwrap

import pytest

from bounded import run
from expert.engine._compat import import_frozendict

# Like frozendict 1.2: the class statement reads collections.Mapping, and nothing after it does.
STAND_IN = textwrap.dedent(
    """
    import collections

    class frozendict(collections.Mapping):
        def __init__(self, *args, **kwargs):
            self._dict = dict(*args, **kwargs)

        def __getitem__(self, key):
            return self._dict[key]

        def __iter__(self):
            return iter(self._dict)

        def __len__(self):
            return len(self._dict)

        def __hash__(self):
            return hash(frozenset(self._dict.items()))
    """
)

# `import expert` alone loads no engine (public names are imported when first used): consulting
# does, and so brings in experta and frozendict.
CONSULT = (
    "import expert\n"
    "report = expert.consult([{'kind': 'nutrient_level', 'nutrient': 'vitamin_d', 'level': 'low'}])\n"
    "print(report.conclusion('vitamin_d.impairs_calcium_absorption').sources[0].quote)\n"
)
QUOTE = "Vitamin D is crucial for the absorption of calcium from the digestive tract."


@pytest.fixture
def old_frozendict(tmp_path):
    """A folder to put first on sys.path, holding a frozendict that imports as 1.2 does."""
    package = tmp_path / "frozendict"
    package.mkdir()
    (package / "__init__.py").write_text(STAND_IN)
    return tmp_path


def run_python(code: str, path_first=None) -> subprocess.CompletedProcess:
    prelude = f"import sys; sys.path.insert(0, {str(path_first)!r})\n" if path_first else ""
    return run([sys.executable, "-c", prelude + code], "the child interpreter to end", capture_output=True, text=True)


def test_the_stand_in_fails_to_import_as_frozendict_1_2_does(old_frozendict):
    result = run_python("import frozendict", old_frozendict)
    assert result.returncode != 0
    assert "module 'collections' has no attribute 'Mapping'" in result.stderr


def test_expert_imports_and_consults_with_a_frozendict_like_1_2(old_frozendict):
    code = textwrap.dedent(
        """
        import collections
        import frozendict
        from experta.utils import freeze
        print(frozendict.__file__)
        print(hasattr(collections, "Mapping"))
        print(type(freeze({"a": 1})) is frozendict.frozendict)
        """
    )
    result = run_python(CONSULT + code, old_frozendict)
    assert result.returncode == 0, result.stderr
    quote, where, mapping_left, experta_uses_it = result.stdout.splitlines()
    assert where.startswith(str(old_frozendict))
    assert mapping_left == "False", "collections.Mapping was left behind after import"
    assert experta_uses_it == "True"
    assert quote == QUOTE


def test_expert_imports_and_consults_with_the_installed_frozendict():
    code = textwrap.dedent(
        """
        import collections, importlib.metadata
        print(importlib.metadata.version("frozendict"))
        print(hasattr(collections, "Mapping"))
        """
    )
    result = run_python(CONSULT + code)
    assert result.returncode == 0, result.stderr
    quote, version, mapping_left = result.stdout.splitlines()
    assert mapping_left == "False", f"collections.Mapping appeared with frozendict {version}"
    assert quote == QUOTE


def test_a_collections_mapping_the_host_set_itself_is_left_in_place(old_frozendict):
    code = textwrap.dedent(
        """
        import collections, collections.abc
        collections.Mapping = mine = collections.abc.Mapping
        """
    )
    result = run_python(code + CONSULT + "print(collections.Mapping is mine)\n", old_frozendict)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [QUOTE, "True"]


def test_a_frozendict_that_fails_to_import_raises_and_collections_is_put_back(tmp_path, monkeypatch):
    package = tmp_path / "frozendict"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('broken frozendict')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "frozendict", raising=False)
    with pytest.raises(RuntimeError, match="broken frozendict"):
        import_frozendict()
    assert not hasattr(collections, "Mapping")
    assert "frozendict" not in sys.modules


def test_nothing_is_done_when_frozendict_is_already_imported(old_frozendict, monkeypatch):
    import_frozendict()
    already = sys.modules["frozendict"]
    monkeypatch.syspath_prepend(str(old_frozendict))
    import_frozendict()
    assert sys.modules["frozendict"] is already
    assert not hasattr(collections, "Mapping")
