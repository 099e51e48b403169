"""The summary of a consultation: red flags, possible explanations ranked, advice, disclaimer.

Possible explanations (and the deficiencies the symptoms fit) are ranked by how many of the
person's own facts their chains rest on; what speaks against each is the "ruled out"
conclusions about the same nutrient or factor.
"""

from dataclasses import dataclass, field

from expert.report import Conclusion, Report
from expert.trace import FactRef
from rules.schema import CATEGORY_ORDER

# Advice grouped by what it concludes: tests to ask for, foods, supplements to stop.
ADVICE_GROUPS = {
    "blood_test_advised": "Tests to ask a doctor for",
    "dietary_advice": "Foods and diet",
    "stop_supplement": "Supplements to stop or reduce",
    "excess_intake": "Supplements to stop or reduce",
}
OTHER_ADVICE = "Other advice"
_SUBJECT_FIELDS = ("about", "nutrient", "factor", "pattern")


@dataclass(frozen=True)
class RankedExplanation:
    """A possible explanation with the person's facts that support it and what speaks against it."""

    conclusion: Conclusion
    support: list[FactRef]
    against: list[Conclusion]


@dataclass(frozen=True)
class Summary:
    """What a person should take away from a consultation, most urgent first."""

    red_flags: list[Conclusion]
    referrals: list[Conclusion]
    explanations: list[RankedExplanation]
    advice: dict[str, list[Conclusion]] = field(default_factory=dict)
    # What speaks against something that is not among the explanations (a dose below a threshold).
    other_against: list[Conclusion] = field(default_factory=list)
    disclaimer: str = ""


def user_grounds(report: Report, conclusion: Conclusion) -> list[FactRef]:
    """The person's own facts a conclusion rests on, however far down its chain, each once."""
    told = {fact.id: fact for fact in report.facts}
    return [told[fact_id] for fact_id in conclusion.grounds]


def find_conclusions(report: Report, words: str) -> list[Conclusion]:
    """The conclusions whose text, title or rule id holds every one of these words (case ignored)."""
    wanted = words.casefold().split()
    return [c for c in report.conclusions if all(w in f"{c.text} {c.title} {c.rule}".casefold() for w in wanted)]


def subjects(conclusion: Conclusion) -> set[str]:
    """The nutrients and factors a conclusion is about: its findings' and its grounds' subjects."""
    out = set()
    for ref in list(conclusion.concluded) + list(conclusion.because):
        for name in _SUBJECT_FIELDS:
            value = ref.fact.get(name)
            if isinstance(value, str):
                out.add(value)
    # "magnesium_deficiency" is about magnesium too.
    out |= {v.rsplit("_", 1)[0] for v in out if v.endswith(("_deficiency", "_excess", "_toxicity"))}
    return out


def summarise(report: Report) -> Summary:
    """The summary of a report: red flags, referrals, ranked explanations, advice by kind."""
    ruled_out = [c for c in report.conclusions if c.category == "ruled_out"]
    ranked = []
    for c in report.conclusions:
        if c.category not in ("explanation", "suspicion"):
            continue
        about = subjects(c)
        against = [r for r in ruled_out if subjects(r) & about]
        ranked.append(RankedExplanation(c, user_grounds(report, c), against))
    firings = {f.number: f for f in report.fired}
    ranked.sort(
        key=lambda e: (
            -len(e.support),
            len(e.against),
            -e.conclusion.lines_of_evidence(firings),
            CATEGORY_ORDER[e.conclusion.category],
            e.conclusion.firings[0],
        )
    )
    advice: dict[str, list[Conclusion]] = {}
    for c in report.conclusions:
        if c.category != "advice":
            continue
        names = [r.fact.get("name") for r in list(c.concluded) + list(c.because)]
        group = next((ADVICE_GROUPS[n] for n in names if n in ADVICE_GROUPS), OTHER_ADVICE)
        advice.setdefault(group, []).append(c)
    ordered = {g: advice[g] for g in dict.fromkeys((*ADVICE_GROUPS.values(), OTHER_ADVICE)) if g in advice}
    return Summary(
        red_flags=report.red_flags,
        referrals=[c for c in report.conclusions if c.category == "referral"],
        explanations=ranked,
        advice=ordered,
        other_against=[r for r in ruled_out if not any(r in e.against for e in ranked)],
        disclaimer=report.disclaimer,
    )
