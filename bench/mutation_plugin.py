"""A pytest plugin for the mutation run (bench/mutation.py), loaded there with `-p`.

The package builds some things once per process and keeps them: the loaded knowledge base, the
compiled engine class, the corpus, the plans of each rule, and idle engines whose Rete network
took a good part of a second to build. That sharing is right for a program and wrong for mutmut
in two ways, and this plugin deals with both.

- mutmut first runs the tests once to learn which tests reach which function, and later runs a
  mutant's tests only. With the caches kept, only the first test to need the knowledge base
  would be seen to reach the loader and the compiler, and a mutant there would be judged by that
  one test alone. While mutmut maps the tests, the caches are forgotten before each test.
- Each mutant's tests run in a process forked from one that has collected the tests. Building
  the knowledge base and an engine again in every such process is most of the cost of a short
  one, so the process they are forked from builds them once, unmutated; a mutant of the code
  that builds them (the loader, the schema, the corpus, the compiler) forgets them all before
  its tests, and a mutant of the session, which keeps the idle engines, forgets those.

A mutant's tests stop at the first that fails, so they are run quickest first, by the times mutmut
measured when it mapped them: a mutant is then killed in the time of its quickest telling test.
"""

import json
import os
import sys

# Mutants of these modules change what is built once and kept, so they start from nothing.
_BUILDERS = ("expert.rules.", "expert.engine.compiler.")
_KEEPERS_OF_ENGINES = ("expert.engine.session.",)


def _clear_package_caches() -> None:
    for name, module in list(sys.modules.items()):
        if name != "expert" and not name.startswith("expert."):
            continue
        for value in list(vars(module).values()):
            if getattr(value, "__module__", None) == name and callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
    _forget_idle_engines()


def _forget_idle_engines() -> None:
    session = sys.modules.get("expert.engine.session")
    idle = getattr(session, "_IDLE_ENGINES", None)
    if isinstance(idle, dict):
        idle.clear()


def pytest_configure(config):
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if mutant.startswith(_BUILDERS):
        _clear_package_caches()
    elif mutant.startswith(_KEEPERS_OF_ENGINES):
        _forget_idle_engines()


def pytest_collection_finish(session):
    # mutmut's fork server collects the tests once before it forks a process for each mutant.
    if session.config.option.collectonly and not os.environ.get("MUTANT_UNDER_TEST"):
        import expert

        expert.consult([])


def pytest_runtest_setup(item):
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        _clear_package_caches()


def pytest_collection_modifyitems(config, items):
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        return
    try:
        with open("mutmut-stats.json", encoding="utf-8") as file:
            durations = json.load(file)["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return
    items.sort(key=lambda item: durations.get(item.nodeid, float("inf")))
