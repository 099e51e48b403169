"""What a consultation concludes, as typed results: conclusions with their sources and grounds,
and the possible causes ranked by the evidence that bears on each."""

import itertools
from collections import defaultdict
from functools import cache
from operator import attrgetter

from pydantic import BaseModel, ConfigDict, Field

from expert.engine.evidence import _RANK, Cause, Evidence, assess, fact_causes
from expert.engine.trace import FactRef, Firing, Source, builder, trusted
from expert.facts.vocabulary import display, listed
from expert.rules.knowledge import KnowledgeBase
from expert.rules.schema import CATEGORY_ORDER, PLACEHOLDER, Authority, Category, OneOf

__all__ = ["DISCLAIMER", "Cause", "Conclusion", "Evidence", "Report", "build_report"]

DISCLAIMER = (
    "This is health information drawn from two documents, not a diagnosis or medical advice. "
    "Only a healthcare professional who examines you can say what causes your symptoms; "
    "consult one before starting or stopping any treatment or supplement."
)


class Conclusion(BaseModel):
    """One conclusion shown to a person: what a rule concluded, in plain words, and why."""

    model_config = ConfigDict(frozen=True)

    rule: str
    title: str
    category: Category
    hedge: str | None
    text: str
    sources: list[Source]
    # A figure the documents leave open, from a named outside authority; never among `sources`.
    authority: Authority | None = None
    # Prudent advice in the system's own words, not the documents'; shown apart and marked so.
    own_advice: str | None = None
    # For a conclusion saying that something the person said contradicts a rule: that rule's id.
    contradicts: str | None = None
    # The causes it bears on (see Report.causes).
    causes: list[str] = Field(default_factory=list)
    # The facts it rests on: the person's own or those derived by earlier firings.
    because: list[FactRef]
    # The firings (by number) that reached it; more than one when several sets of facts did.
    firings: list[int]
    concluded: list[FactRef]
    # Ids of the person's own facts it rests on, through every step of every chain behind it.
    grounds: list[str] = Field(default_factory=list)
    # The firings it rests on, its own included, in firing order.
    chain: list[int] = Field(default_factory=list)

    def lines_of_evidence(self, firings: dict[int, Firing]) -> int:
        """How many firings behind it matched something the person said: two symptom profiles
        that both fit count twice, where `grounds` would count the same facts once."""
        return sum(1 for n in self.chain if any(ref.origin == "user" for ref in firings[n].matched))

    @property
    def key(self) -> tuple:
        """What makes two conclusions the same, whatever facts they rested on: the rule and
        what it says (a rule gives one conclusion per consultation)."""
        return conclusion_key(self)

    @property
    def is_red_flag(self) -> bool:
        return self.category == "red_flag"


class Report(BaseModel):
    """The outcome of a consultation: the person's facts, the conclusions, and every firing."""

    model_config = ConfigDict(frozen=True)

    facts: list[FactRef]
    conclusions: list[Conclusion]
    derived: list[FactRef]
    fired: list[Firing]
    # The possible causes, best supported first, each with its evidence and a one-line reason.
    causes: list[Cause] = Field(default_factory=list)
    # The person's facts no rule used: nothing in the documents follows from them here.
    unused: list[FactRef] = Field(default_factory=list)
    disclaimer: str = DISCLAIMER

    @property
    def red_flags(self) -> list[Conclusion]:
        return [c for c in self.conclusions if c.is_red_flag]

    def conclusion(self, rule_id: str) -> Conclusion | None:
        """The conclusion a rule reached, if it fired."""
        return next((c for c in self.conclusions if c.rule == rule_id), None)

    def cause(self, cause: str) -> Cause | None:
        """The assessment of one cause (e.g. "magnesium_deficiency"), if anything bears on it."""
        return next((c for c in self.causes if c.cause == cause), None)

    @property
    def rules_fired(self) -> list[str]:
        """Ids of the rules that fired, in firing order, each once."""
        return list(dict.fromkeys(f.rule for f in self.fired))


# A conclusion is made of what the recorder and the rule already hold, checked there: not validated
# again, once for each of the hundreds a large knowledge base concludes.
_CONCLUSION = trusted(Conclusion)
_REPORT = builder(Report)


def _chains(firings: list[Firing]) -> dict[int, set[int]]:
    """For each firing, the firings it rests on (itself included), through every firing that
    concluded one of the derived facts it matched. The rule graph has no cycles (`expert check`)."""
    derivers: defaultdict[str, list[int]] = defaultdict(list)  # no empty list made per fact seen again
    for firing in firings:
        number = firing.number
        for ref in firing.concluded:
            derivers[ref.id].append(number)
    # A firing's chain is its own number and the chains of the firings behind it. Those are
    # mostly earlier firings, so one pass in firing order works out nearly every chain with no
    # call per firing (the recursion below made four calls a firing). A firing resting on a fact
    # that a later firing concluded again waits for the next pass. Without cycles every pass
    # settles some firing, and the chains are the same whatever the order. A pass that settles
    # none means a cycle: then the recursion works out every chain, as it always did, its guard
    # deciding what a cycle's chains hold.
    chains: dict[int, set[int]] = {}
    # What lies behind a derived fact, the chains of every firing that concluded it, is worked out
    # once, when they are all settled, for every firing that matched it: a finding concluded by
    # many firings and matched by many (as in a large knowledge base) cost a union for each pair.
    behind_fact: dict[str, set[int]] = {}
    waiting = firings
    while waiting:
        later = []
        for firing in waiting:
            number = firing.number
            found = {number}
            for ref in firing.matched:
                if ref.origin == "rule":
                    behind = behind_fact.get(ref.id)
                    if behind is None:
                        behind = _behind(derivers.get(ref.id, ()), chains)
                        if behind is None:  # a firing behind it not settled yet
                            later.append(firing)
                            break
                        behind_fact[ref.id] = behind
                    found |= behind
            else:
                chains[number] = found
        if len(later) == len(waiting):
            by_number = {f.number: f for f in firings}
            memo: dict[int, set[int]] = {}
            return {f.number: _chain_of(f.number, by_number, derivers, memo) for f in firings}
        waiting = later
    return chains


def _behind(numbers: list[int], chains: dict[int, set[int]]) -> set[int] | None:
    """The union of the chains of the firings numbered, or None while one is not settled. One
    firing's chain is given as it is (never changed once settled), not copied."""
    if len(numbers) == 1:
        return chains.get(numbers[0])
    behind = set()
    for n in numbers:
        chain = chains.get(n)
        if chain is None:
            return None
        behind |= chain
    return behind


def _chain_of(number: int, by_number: dict, derivers: dict, memo: dict) -> set[int]:
    # A function of its own, not a closure over `memo` calling itself: such a closure is a
    # reference cycle, which kept the whole run's record (every firing and fact) alive until
    # the garbage collector's next full pass instead of freeing it with the report.
    if number not in memo:
        memo[number] = {number}  # a guard, should a derived fact ever feed its own firing
        found = {number}
        for ref in by_number[number].matched:
            for n in derivers.get(ref.id, []) if ref.origin == "rule" else ():
                found |= _chain_of(n, by_number, derivers, memo)
        memo[number] = found
    return memo[number]


def _joined(values: list[str]) -> str:
    return listed([display(v) for v in dict.fromkeys(values)])


def _merged_text(rule, firings: list[Firing], order: dict) -> str:
    """A rule's text for all its firings: each variable names every value it took, in the order
    of the rule's `one_of` where it has one (else alphabetical), whatever order they fired in.
    `order` is _one_of_order(rule), worked out once per knowledge base."""
    if len(firings) == 1 or len({f.text for f in firings}) == 1:
        return firings[0].text

    def values(name: str) -> str:
        found = {f.bindings[name] for f in firings if name in f.bindings}
        rank = order.get(name, {})
        return _joined(sorted(found, key=lambda v: (rank.get(v, len(rank)), v)))

    return PLACEHOLDER.sub(lambda m: values(m.group(1)), rule.text)


def _one_of_order(rule) -> dict[str, dict[str, int]]:
    """For each variable a `one_of` binds, each value's place in that list."""
    order = {}
    for condition in rule.when:
        for test in condition.where.values():
            if isinstance(test, OneOf):
                order[test.bind[1:]] = {str(v): i for i, v in enumerate(test.one_of)}
    return order


def build_report(
    kb: KnowledgeBase, facts: list[FactRef], firings: list[Firing], told: dict | None = None, causes: dict | None = None
) -> Report:
    """One conclusion per rule that fired, whatever facts it fired on, ordered red flags first,
    then within each kind those resting on more of what the person said; and the causes ranked.

    `told` maps the person's fact ids to their facts (for doses in mg); optional. `causes` maps
    fact ids to the causes each bears on (evidence.sorted_causes), as the recorder worked them
    out; optional: what it lacks is worked out here."""
    chains = _chains(firings)
    # The person's own facts each firing matched: what grounds a conclusion, and whether a firing
    # behind it is a line of evidence (Conclusion.lines_of_evidence), worked out once per firing.
    # assess weighs the same facts, and is handed them rather than picking them out again.
    told_by: dict[int, list[str]] = {}
    users_by: dict[int, list[FactRef]] = {}
    on_told: set[int] = set()
    by_rule: dict[str, list[Firing]] = {}
    for firing in firings:
        # A field of a pydantic model costs several times a local variable to read: each once.
        number, rule_id = firing.number, firing.rule
        users_by[number] = users = [ref for ref in firing.matched if ref.origin == "user"]
        if users:
            told_by[number] = [ref.id for ref in users]
            on_told.add(number)
        group = by_rule.get(rule_id)
        if group is None:
            by_rule[rule_id] = [firing]
        else:
            group.append(firing)
    used = set().union(*told_by.values())
    # Grounds in the order the person's facts were told (`u1`, `u2`, ...): each id's number
    # worked out once per report, not once per conclusion it grounds.
    told_order = {fact_id: int(fact_id[1:]) for fact_id in used}
    causes_by_id = _CausesById(causes or {})  # a fact's causes, for every conclusion it is in
    ranked = []
    rules = _rule_parts(kb)
    for rule_id, group in by_rule.items():
        rule, (title, category, hedge, own_advice, contradicts), category_order, one_of_order = rules[rule_id]
        first = group[0]
        if len(group) == 1:  # most rules fire once
            numbers = [first.number]
            behind = chains[numbers[0]]
            because = {ref.id: ref for ref in first.matched}
            concluded = {ref.id: ref for ref in first.concluded}
            text = first.text
        else:
            behind = set().union(*(chains[f.number] for f in group))
            because = {ref.id: ref for f in group for ref in f.matched}
            concluded = {ref.id: ref for f in group for ref in f.concluded}
            numbers = [f.number for f in group]
            text = _merged_text(rule, group, one_of_order)
        # The firings behind it that matched something the person said: as many lines of
        # evidence (conclusion.lines_of_evidence(...), without walking the chain again).
        on_told_behind = behind & on_told
        told_ids = {fact_id for n in on_told_behind for fact_id in told_by[n]}
        # Every field, in the model's order (trace.trusted); each list a new one.
        conclusion = _CONCLUSION({
            "rule": rule_id,
            "title": title,
            "category": category,
            "hedge": hedge,
            "text": text,
            "sources": list(first.sources),
            "authority": first.authority,
            "own_advice": own_advice,
            "contradicts": contradicts,
            "causes": causes_by_id.of(concluded, because),
            "because": list(because.values()),
            "firings": numbers,
            "concluded": list(concluded.values()),
            "grounds": sorted(told_ids, key=told_order.__getitem__),
            "chain": sorted(behind),
        })
        ranked.append(((category_order, -len(told_ids), -len(on_told_behind), numbers[0]), conclusion))
    ranked.sort(key=_RANK)
    conclusions = [conclusion for _, conclusion in ranked]
    derived = {r.id: r for f in firings for r in f.concluded}
    return _REPORT({
        "facts": facts,
        "conclusions": conclusions,
        "derived": list(derived.values()),
        "fired": firings,
        "causes": assess(kb, conclusions, firings, told or {}, users_by, causes_by_id),
        "unused": [ref for ref in facts if ref.id not in used],
    })


@cache
def _rule_parts(kb: KnowledgeBase) -> dict[str, tuple]:
    """Per rule, once per knowledge base: the rule, the fields of its conclusion that are the
    rule's own whatever it fired on, its category's place in the order, and the order of the
    values its `one_of`s bind (for its text merged over several firings)."""
    return {
        rule.id: (
            rule,
            (rule.title, rule.category, rule.hedge, rule.own_advice, rule.contradicts),
            CATEGORY_ORDER[rule.category],
            _one_of_order(rule),
        )
        for rule in kb.rules
    }


# Conclusion.key as a function in C: a session compares every conclusion of two runs by it.
conclusion_key = attrgetter("rule", "text")


class _CausesById(dict):
    """Fact id -> the causes that fact bears on (evidence.fact_causes), each worked out once per
    report whatever number of conclusions it is in; the recorder hands in those it worked out."""

    def of(self, concluded: dict, because: dict) -> list[str]:
        """The causes of a conclusion's facts (dicts by id), those it concluded and then those it
        matched, each once."""
        try:
            # Every fact known (as from the recorder, which works out all): no Python loop.
            each = map(self.__getitem__, itertools.chain(concluded, because))
            return list(dict.fromkeys(itertools.chain.from_iterable(each)))
        except KeyError:
            pass
        found: dict[str, None] = {}
        for refs in (concluded, because):
            for fact_id, ref in refs.items():
                causes = self.get(fact_id)
                if causes is None:
                    self[fact_id] = causes = fact_causes(ref)
                for cause in causes:
                    found.setdefault(cause)
        return list(found)
