"""The report's cheaper ways of working things out give what the plain ways gave."""

from expert.engine.report import _chains
from expert.engine.trace import FactRef, Firing


def _ref(fact_id: str) -> FactRef:
    origin = "user" if fact_id.startswith("u") else "rule"
    return FactRef(id=fact_id, origin=origin, kind="finding", fact={}, text=fact_id)


def _firing(number: int, matched: list[str], concluded: list[str]) -> Firing:
    return Firing(number=number, rule=f"r{number}", matched=[_ref(i) for i in matched],
                  concluded=[_ref(i) for i in concluded], text="", sources=[])


def _by_recursion(firings: list[Firing]) -> dict[int, set[int]]:
    """The chains as the report first worked them out: memoised recursion over every firing."""
    derivers: dict[str, list[int]] = {}
    for firing in firings:
        for ref in firing.concluded:
            derivers.setdefault(ref.id, []).append(firing.number)
    by_number = {f.number: f for f in firings}
    memo: dict[int, set[int]] = {}

    def chain(number: int) -> set[int]:
        if number not in memo:
            memo[number] = {number}
            found = {number}
            for ref in by_number[number].matched:
                for n in derivers.get(ref.id, []) if ref.origin == "rule" else ():
                    found |= chain(n)
            memo[number] = found
        return memo[number]

    return {f.number: chain(f.number) for f in firings}


def test_chains_in_firing_order():
    firings = [_firing(1, ["u1"], ["d1"]), _firing(2, ["d1", "u2"], ["d2"]), _firing(3, ["d2"], ["d3"])]
    assert _chains(firings) == _by_recursion(firings) == {1: {1}, 2: {1, 2}, 3: {1, 2, 3}}


def test_a_fact_concluded_again_later_brings_the_later_firing_and_its_chain():
    # d1 is concluded by 1 and again by 4, which rests on 3; 2 matched d1, so 2 rests on 4 and 3,
    # and 5, resting on 2, on all of them.
    firings = [
        _firing(1, ["u1"], ["d1"]), _firing(2, ["d1"], ["d2"]), _firing(3, ["u2"], ["d3"]),
        _firing(4, ["d3"], ["d1"]), _firing(5, ["d2"], ["d5"]),
    ]
    assert _chains(firings) == _by_recursion(firings)
    assert _chains(firings)[5] == {1, 2, 3, 4, 5}


def test_a_cycle_gives_what_the_recursion_gave():
    # The rule graph has none (`expert check`); should one slip through, the chains are still
    # those of the recursion and its guard.
    loops = [
        [_firing(1, ["d1"], ["d1"])],
        [_firing(1, ["u1", "d2"], ["d1"]), _firing(2, ["d1"], ["d2"]), _firing(3, ["d2"], ["d3"])],
        [_firing(1, ["u1"], ["d1"]), _firing(2, ["d1", "d3"], ["d2"]), _firing(3, ["d2"], ["d3"])],
    ]
    for firings in loops:
        assert _chains(firings) == _by_recursion(firings)


def test_a_finding_concluded_by_several_firings_and_matched_by_several():
    # As in a knowledge base with many rules to one finding: d1 is concluded by 1, 2 and (later)
    # 6, and matched by 3, 4 and 5. What lies behind d1 is worked out once, when all three have
    # settled, and is the same for each firing that matched it; one deriver's chain is shared,
    # not copied, and must not change when a later chain is built from it.
    firings = [
        _firing(1, ["u1"], ["d1"]), _firing(2, ["u2"], ["d1", "d2"]), _firing(3, ["d1"], ["d3"]),
        _firing(4, ["d1", "d2"], ["d4"]), _firing(5, ["d1", "d4"], ["d5"]), _firing(6, ["u3"], ["d1"]),
        _firing(7, ["d2"], ["d7"]), _firing(8, ["d7"], ["d8"]),
    ]
    chains = _chains(firings)
    assert chains == _by_recursion(firings)
    assert chains[3] == {1, 2, 3, 6}
    assert chains[5] == {1, 2, 4, 5, 6}
    assert chains[2] == {2} and chains[7] == {2, 7} and chains[8] == {2, 7, 8}
