"""What a consultation concludes, as typed results: conclusions with their sources and grounds."""

from pydantic import BaseModel, ConfigDict, Field

from expert.trace import FactRef, Firing, Source
from rules.knowledge import KnowledgeBase
from rules.schema import CATEGORY_ORDER, Authority, Category

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
        """What makes two conclusions the same, whatever facts they rested on."""
        # By content: derived ids are numbered in firing order, which a new fact may change.
        return (self.rule, self.text, tuple(sorted(repr(sorted(r.fact.items())) for r in self.concluded)))

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
    disclaimer: str = DISCLAIMER

    @property
    def red_flags(self) -> list[Conclusion]:
        return [c for c in self.conclusions if c.is_red_flag]

    def conclusion(self, rule_id: str) -> Conclusion | None:
        """The conclusion a rule reached, if it fired."""
        return next((c for c in self.conclusions if c.rule == rule_id), None)

    @property
    def rules_fired(self) -> list[str]:
        """Ids of the rules that fired, in firing order, each once."""
        return list(dict.fromkeys(f.rule for f in self.fired))


def _fact_order(fact_id: str) -> int:
    return int(fact_id[1:])


def _chains(firings: list[Firing]) -> dict[int, set[int]]:
    """For each firing, the firings it rests on (itself included), through every firing that
    concluded one of the derived facts it matched. The rule graph has no cycles (`expert check`)."""
    derivers: dict[str, list[int]] = {}
    for firing in firings:
        for ref in firing.concluded:
            derivers.setdefault(ref.id, []).append(firing.number)
    by_number = {f.number: f for f in firings}
    memo: dict[int, set[int]] = {}

    def of(number: int) -> set[int]:
        if number not in memo:
            memo[number] = {number}  # a guard, should a derived fact ever feed its own firing
            found = {number}
            for ref in by_number[number].matched:
                for n in derivers.get(ref.id, []) if ref.origin == "rule" else ():
                    found |= of(n)
            memo[number] = found
        return memo[number]

    return {f.number: of(f.number) for f in firings}


def build_report(kb: KnowledgeBase, facts: list[FactRef], firings: list[Firing]) -> Report:
    """Merge firings that reached the same conclusion and order them: red flags first, then
    within each kind the conclusions resting on more of what the person said."""
    chains = _chains(firings)
    by_number = {f.number: f for f in firings}
    merged: dict[tuple, dict] = {}
    for firing in firings:
        rule = kb.rule(firing.rule)
        key = (firing.rule, firing.text, tuple(r.id for r in firing.concluded))
        entry = merged.setdefault(
            key,
            dict(
                rule=rule.id,
                title=rule.title,
                category=rule.category,
                hedge=rule.hedge,
                text=firing.text,
                sources=firing.sources,
                authority=firing.authority,
                because={},
                firings=[],
                concluded=firing.concluded,
                chain=set(),
            ),
        )
        entry["firings"].append(firing.number)
        entry["chain"] |= chains[firing.number]
        for ref in firing.matched:
            entry["because"].setdefault(ref.id, ref)
    conclusions = []
    for entry in merged.values():
        chain = sorted(entry["chain"])
        told = {ref.id for n in chain for ref in by_number[n].matched if ref.origin == "user"}
        conclusions.append(
            Conclusion(
                **entry
                | {"because": list(entry["because"].values()), "chain": chain, "grounds": sorted(told, key=_fact_order)}
            )
        )
    conclusions.sort(key=lambda c: (CATEGORY_ORDER[c.category], -len(c.grounds), -c.lines_of_evidence(by_number), c.firings[0]))
    derived = {r.id: r for f in firings for r in f.concluded}
    return Report(facts=facts, conclusions=conclusions, derived=list(derived.values()), fired=firings)
