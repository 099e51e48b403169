"""The summary of a consultation, most urgent first: red flags, conflicts, what to do, then the
possible causes ranked by the evidence that bears on each (see expert.engine.evidence), each with what
speaks against it beside it, then what the documents do not cover.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from expert.util.arguments import instance_argument
from expert.engine.evidence import Cause
from expert.engine.report import Conclusion, Report
from expert.engine.trace import FactRef
from expert.facts.vocabulary import display
from expert.rules.knowledge import KnowledgeBase, default_knowledge_base

# Advice grouped by what it concludes: tests to ask for, supplements to stop, foods.
ADVICE_GROUPS = {
    "blood_test_advised": "Tests to ask a doctor for",
    "stop_supplement": "Supplements to stop or reduce",
    "dietary_advice": "Foods and diet",
}
OTHER_ADVICE = "Other advice"
# Conclusions shown beside the cause they bear on, in this order.
_CAUSE_CATEGORIES = ("explanation", "suspicion", "ruled_out")


@dataclass(frozen=True)
class RankedCause:
    """A cause with the conclusions shown beside it: what supports it, and what speaks against it."""

    cause: Cause
    conclusions: list[Conclusion]
    against: list[Conclusion]


@dataclass(frozen=True)
class Summary:
    """What a person should take away from a consultation, most urgent first."""

    red_flags: list[Conclusion]
    conflicts: list[Conclusion]
    referrals: list[Conclusion]
    advice: dict[str, list[Conclusion]]
    # Causes with evidence of their own (a test, a dose, something the person reports, a sign of
    # it alone), best supported first.
    causes: list[RankedCause]
    # Causes resting only on signs they share with other causes.
    weak: list[RankedCause]
    # Causes that what speaks against them outweighs.
    ruled_out: list[RankedCause]
    # What speaks against something no cause above stands for.
    other_against: list[Conclusion] = field(default_factory=list)
    # The person's facts no rule used: nothing in the documents follows from them here.
    unused: list[FactRef] = field(default_factory=list)
    # The warning signs the documents name that the person was not asked about (or, for a case
    # file, did not report), by name.
    red_flags_not_asked: list[str] = field(default_factory=list)
    # True when `red_flags_not_asked` is known to be what was not asked, not only what was not said.
    asked_known: bool = False
    disclaimer: str = ""


def red_flag_signs(kb: KnowledgeBase) -> list[str]:
    """The symptoms whose report the knowledge base treats as a red flag, in its order."""
    names: dict[str, None] = {}
    for rule in kb.rules:
        if rule.category == "red_flag":
            for condition in rule.when:
                name = condition.where.get("name") if condition.fact == "symptom" else None
                for value in name if isinstance(name, list) else [name]:
                    if isinstance(value, str):
                        names.setdefault(value)
    return list(names)


def user_grounds(report: Report, conclusion: Conclusion) -> list[FactRef]:
    """The person's own facts a conclusion rests on, however far down its chain, each once."""
    told = {fact.id: fact for fact in report.facts}
    return [told[fact_id] for fact_id in conclusion.grounds]


def find_conclusions(report: Report, words: str) -> list[Conclusion]:
    """The conclusions whose text, title or rule id holds every one of these words (case ignored)."""
    wanted = words.casefold().split()
    return [c for c in report.conclusions if all(w in f"{c.text} {c.title} {c.rule}".casefold() for w in wanted)]


def advice_group(conclusion: Conclusion) -> str:
    names = [r.fact.get("name") for r in list(conclusion.concluded) + list(conclusion.because)]
    return next((ADVICE_GROUPS[n] for n in names if n in ADVICE_GROUPS), OTHER_ADVICE)


def summarise(
    report: Report,
    *,
    asked: Iterable[str] | None = None,
    knowledge_base: KnowledgeBase | None = None,
) -> Summary:
    """The summary of a report. `asked` names the symptoms the person was asked about (the
    console knows); without it, a red flag counts as not asked when it was not reported."""
    instance_argument(report, "report", Report, "a Report (from expert.consult or Session.run)")
    instance_argument(knowledge_base, "knowledge_base", KnowledgeBase, "a KnowledgeBase", optional=True)
    kb = knowledge_base or default_knowledge_base()
    shown: set[str] = set()
    ranked: list[RankedCause] = []
    for cause in report.causes:
        mine = [c for c in report.conclusions if cause.cause in c.causes and c.rule not in shown]
        supporting = [c for c in mine if c.category in ("explanation", "suspicion")]
        against = [c for c in mine if c.category == "ruled_out"]
        shown |= {c.rule for c in supporting + against}
        ranked.append(RankedCause(cause, supporting, against))
    advice: dict[str, list[Conclusion]] = {}
    for c in report.conclusions:
        if c.category == "advice":
            advice.setdefault(advice_group(c), []).append(c)
    # Foods last: a test to ask for, a supplement to stop, or a word about supervision is what a
    # person acts on first.
    order = (ADVICE_GROUPS["blood_test_advised"], ADVICE_GROUPS["stop_supplement"], OTHER_ADVICE,
             ADVICE_GROUPS["dietary_advice"])
    ordered = {g: advice[g] for g in order if g in advice}
    reported = {ref.fact.get("name") for ref in report.facts if ref.kind == "symptom"}
    asked_names = set(asked) if asked is not None else reported
    return Summary(
        red_flags=report.red_flags,
        conflicts=[c for c in report.conclusions if c.category == "conflict"],
        referrals=[c for c in report.conclusions if c.category == "referral"],
        advice=ordered,
        causes=[r for r in ranked if r.cause.standing not in ("weak", "against")],
        weak=[r for r in ranked if r.cause.standing == "weak"],
        ruled_out=[r for r in ranked if r.cause.standing == "against"],
        other_against=[c for c in report.conclusions if c.category == "ruled_out" and c.rule not in shown],
        unused=list(report.unused),
        red_flags_not_asked=[display(n) for n in red_flag_signs(kb) if n not in asked_names],
        asked_known=asked is not None,
        disclaimer=report.disclaimer,
    )
