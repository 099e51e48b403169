"""What a consultation concludes, as typed results: conclusions with their sources and grounds."""

from pydantic import BaseModel, ConfigDict

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


def build_report(kb: KnowledgeBase, facts: list[FactRef], firings: list[Firing]) -> Report:
    """Merge firings that reached the same conclusion and order them: red flags first."""
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
            ),
        )
        entry["firings"].append(firing.number)
        for ref in firing.matched:
            entry["because"].setdefault(ref.id, ref)
    conclusions = [Conclusion(**{**e, "because": list(e["because"].values())}) for e in merged.values()]
    conclusions.sort(key=lambda c: (CATEGORY_ORDER[c.category], c.firings[0]))
    derived = {r.id: r for f in firings for r in f.concluded}
    return Report(facts=facts, conclusions=conclusions, derived=list(derived.values()), fired=firings)
