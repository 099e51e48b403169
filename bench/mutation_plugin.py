"""A pytest plugin for the mutation run (bench/mutation.py), loaded there with `-p`.

mutmut first runs the tests once to learn which tests reach which function, and later runs a
mutant's tests only. The package caches what it builds once per process - the loaded knowledge
base, the compiled engine class, the corpus, the plans of each rule - so in that first run only
the first test to need the knowledge base would be seen to reach the loader and the compiler,
and a mutant there would be judged by that one test alone. While mutmut maps the tests, this
plugin forgets those caches before each test, so that every test is seen to reach what it relies
on. A mutant's own run starts in a fresh process, where the caches are empty anyway.
"""

import os
import sys


def _clear_package_caches() -> None:
    for name, module in list(sys.modules.items()):
        if name != "expert" and not name.startswith("expert."):
            continue
        for value in list(vars(module).values()):
            if getattr(value, "__module__", None) == name and callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def pytest_runtest_setup(item):
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        _clear_package_caches()
