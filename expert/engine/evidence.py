"""Weighing the causes: which of the person's answers bear on each cause, and how much.

A cause is what the documents say can lie behind twitching, cramps or spasms: a deficiency
(`magnesium_deficiency`), an excess (`vitamin_b6_toxicity`, `magnesium_excess`), a lifestyle
factor (`stress`), a medication or a neuromuscular disorder. Its evidence is what the rules tied
to it, each item weighted by how much the documents single the cause out:

- a low test result for the nutrient: 3 (the documents' way to confirm a deficiency);
- a supplement above the dose the documents (or a named authority) call high: 2, and 1 more when
  the dose and time are those at which the nerve-damage chain is followed;
- a habit, medication or condition the person reports that is itself the cause: 1;
- a sign the documents tie to this cause alone: 1;
- a sign they tie to several causes: 1 divided among them (twitching in the legs, listed for
  magnesium, calcium and potassium deficiency, gives each 1/3); a missing food counts half that;
- a link the documents draw from another finding (low vitamin D to calcium): 1.

What speaks against a cause subtracts: a test result that is not low, 3 (it cancels a low one);
a dose within the figure the documents name, 1; a fact that contradicts a rule concluding the
cause (its `unless`), 1. One fact speaks against a cause once, at its heaviest. The score is the difference; the ranking puts
the best-supported cause first.
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter

from pydantic import BaseModel, ConfigDict

from expert.engine.trace import builder
from expert.facts.vocabulary import display
from expert.rules.knowledge import KnowledgeBase
from expert.rules.schema import Comparison, Presence, accepted_values, is_variable

TESTED_LOW = 3.0
HIGH_DOSE = 2.0
DOSE_OVER_TIME = 1.0
TOLD = 1.0
SPECIFIC_SIGN = 1.0
SHARED_SIGN = 1.0  # divided among the causes the sign is listed for
MISSING_FOOD = 0.5  # likewise divided
LINK = 1.0
NOT_LOW = 3.0
WITHIN_LIMIT = 1.0
CONTRADICTED = 1.0

NUTRIENTS = ("magnesium", "calcium", "potassium", "vitamin_d", "vitamin_b12", "folate", "vitamin_b6")
_EXCESS = {"vitamin_b6": "vitamin_b6_toxicity", "magnesium": "magnesium_excess"}
_NAMES = {
    "vitamin_b6_toxicity": "Vitamin B6 toxicity",
    "magnesium_excess": "Too much magnesium",
    "medication": "A side effect of medication",
    "neuromuscular_disorder": "A neuromuscular disorder",
    "excessive_caffeine": "Excessive caffeine",
    "excessive_alcohol": "Excessive alcohol",
    "poor_sleep": "Poor sleep",
}
_LIFESTYLE_CAUSES = ("excessive_caffeine", "excessive_alcohol", "stress", "poor_sleep", "dehydration", "intense_exercise")
# Findings whose `about` is a nutrient and which bear on its deficiency.
_DEFICIENCY_FINDINGS = {
    "deficiency", "profile_match", "weak_sign", "nerve_hyperexcitability", "disrupted_nerve_signaling",
    "neurological_problems", "dietary_advice", "blood_test_advised",
}
# Findings whose `about` is a nutrient and which bear on its excess.
_EXCESS_FINDINGS = {"excess_intake", "excess_sign", "peripheral_neuropathy", "nervous_system_irritation", "stop_supplement"}


def cause_name(cause: str) -> str:
    """A cause as a person reads it: `vitamin_d_deficiency` -> `Vitamin D deficiency`."""
    if cause in _NAMES:
        return _NAMES[cause]
    if cause.endswith("_deficiency"):
        words = display(cause.removesuffix("_deficiency")) + " deficiency"
    else:
        words = display(cause)
    return words[0].upper() + words[1:]


_cause_name = lru_cache(maxsize=1024)(cause_name)  # the same few causes, named in every report


def causes_of_fact(kind: str, fact: dict) -> set[str]:
    """The causes a single fact (the person's or a finding) bears on, by what it is about."""
    if kind == "finding":
        name, about = fact.get("name"), fact.get("about")
        if name == "twitching_cause":
            return {about}
        if name == "impaired_calcium_absorption":
            return {"vitamin_d_deficiency"}
        if name == "hypocalcemia_risk":
            return {"calcium_deficiency"}
        if name == "advice_conflict" and about in _EXCESS:
            return {f"{about}_deficiency", _EXCESS[about]}
        if name in _EXCESS_FINDINGS and about in _EXCESS:
            return {_EXCESS[about]}
        if name in _DEFICIENCY_FINDINGS and about in NUTRIENTS:
            return {f"{about}_deficiency"}
        return set()
    if kind == "nutrient_level":
        return {f"{fact['nutrient']}_deficiency"}
    if kind == "supplement" and fact.get("nutrient") in _EXCESS:
        return {_EXCESS[fact["nutrient"]]}
    if kind == "lifestyle" and fact.get("factor") in _LIFESTYLE_CAUSES:
        return {fact["factor"]}
    if kind == "medication":
        return {"medication"}
    if kind == "condition" and fact.get("name") == "neuromuscular_disorder":
        return {"neuromuscular_disorder"}
    return set()


class Evidence(BaseModel):
    """One of the person's answers, as it bears on a cause: how, and with what weight."""

    model_config = ConfigDict(frozen=True)

    fact: str  # the person's fact id (`u…`)
    text: str  # the fact in plain words
    kind: str  # tested_low, high_dose, over_time, told, specific, effect, shared, missing_food, link, not_low, within_limit, contradicted
    weight: float
    rule: str  # the rule that tied it to the cause
    shared_with: int = 1  # how many causes the documents tie this sign to


class Cause(BaseModel):
    """A possible cause of the person's complaint, with the evidence for and against it."""

    model_config = ConfigDict(frozen=True)

    cause: str  # e.g. "magnesium_deficiency", "vitamin_b6_toxicity", "stress"
    name: str  # e.g. "Magnesium deficiency"
    # tested: a low result; dose: a supplement above the documents' figure; told: the person
    # reports the cause itself; suspected: a sign of it alone; weak: only signs it shares with
    # other causes; against: what speaks against it outweighs what speaks for it.
    standing: str
    score: float
    explains: bool  # whether a rule concluded that it may explain the complaint
    evidence: list[Evidence]
    against: list[Evidence]
    reason: str  # the ranking's reason, in one line
    conclusions: list[str]  # ids of the rules whose conclusions bear on it, in report order


_EVIDENCE = builder(Evidence)
_CAUSE = builder(Cause)


# --- how many causes the documents tie a sign to ------------------------------------------------

_FOOD_KINDS = {"diet", "lifestyle"}  # a missing food source or too little sun: evidence, not a sign

# Findings that say "this answer is evidence for that nutrient or excess".
_SIGN_FINDINGS = ("profile_match", "weak_sign", "excess_sign")


def _passes(test, value) -> bool:
    if is_variable(test):
        return value is not None
    if isinstance(test, Presence):
        return (value is not None) == test.known
    if value is None:
        return False
    if isinstance(test, Comparison):
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
            return False
        number = Decimal(str(value))
        return {"gt": number > test.value, "ge": number >= test.value, "lt": number < test.value, "le": number <= test.value}[test.op]
    values = accepted_values(test)
    return values is not None and value in values


@lru_cache(maxsize=16)
def _sign_conditions(kb: KnowledgeBase) -> dict[str, list[tuple]]:
    """For each kind of fact, the positive conditions of the sign rules that test it, each with the
    causes its rule ties a sign to: worked out once per knowledge base, not once per fact."""
    by_kind: dict[str, list[tuple]] = {}
    for rule in kb.rules:
        signs = [c for c in rule.then if c.finding in _SIGN_FINDINGS and c.about and not is_variable(c.about)]
        if not signs:
            continue
        causes = frozenset(
            _EXCESS.get(sign.about, sign.about) if sign.finding == "excess_sign" else f"{sign.about}_deficiency"
            for sign in signs
        )
        for condition in rule.when:
            if not condition.absent:
                by_kind.setdefault(condition.fact, []).append((tuple(condition.where.items()), causes))
    return by_kind


@lru_cache(maxsize=4096)
def _sign_causes(kb: KnowledgeBase, kind: str, fact_json: str) -> frozenset[str]:
    """Every cause some sign rule of the knowledge base would tie this one fact to."""
    fact = json.loads(fact_json)
    found: set[str] = set()
    for tests, causes in _sign_conditions(kb).get(kind, ()):
        if not causes <= found and all(_passes(test, fact.get(field)) for field, test in tests):
            found |= causes
    return frozenset(found)


def shared_by(kb: KnowledgeBase, kind: str, fact: dict) -> int:
    """How many causes the documents tie this fact to (at least 1)."""
    plain = {k: v for k, v in fact.items() if v is not None}
    return max(1, len(_sign_causes(kb, kind, json.dumps(plain, sort_keys=True, default=str))))


def _shared_by_ref(kb: KnowledgeBase, ref, told: dict) -> int:
    """`shared_by` of one of the person's facts, remembered by its content: a batch asks it of
    the same answers over and over."""
    dose = None
    if ref.kind == "supplement" and ref.id in told:
        dose = told[ref.id].daily_dose_mg
    try:
        return _shared_by_content(kb, ref.kind, tuple(ref.fact.items()), dose)
    except TypeError:  # a value that cannot be hashed: worked out every time
        return shared_by(kb, ref.kind, _fact_fields(ref, told))


@lru_cache(maxsize=4096)
def _shared_by_content(kb: KnowledgeBase, kind: str, items: tuple, dose) -> int:
    fields = dict(items)
    if kind == "supplement":
        fields["daily_dose_mg"] = dose
    return shared_by(kb, kind, fields)


@lru_cache(maxsize=4096)
def _finding_causes(name, about) -> set[str]:
    """causes_of_fact of a finding, by its content; the set is shared, never to be changed."""
    return causes_of_fact("finding", {"name": name, "about": about})


# --- the assessment -------------------------------------------------------------------------------


@dataclass
class _Tally:
    evidence: dict
    against: dict
    explains: bool = False
    first: int = 10**9


def _fact_fields(ref, facts_by_id) -> dict:
    fields = dict(ref.fact)
    if ref.kind == "supplement":
        fields["daily_dose_mg"] = facts_by_id[ref.id].daily_dose_mg if ref.id in facts_by_id else None
    return fields


@lru_cache(maxsize=16)
def _ruled_out(kb: KnowledgeBase) -> frozenset[str]:
    """Ids of the rules whose conclusions rule something out: once per knowledge base, rather than
    looking up the rule of every firing in every report."""
    return frozenset(rule.id for rule in kb.rules if rule.category == "ruled_out")


_RANK = itemgetter(0)  # a ranked pair's rank, without a Python call per pair (here and in report.py)


def _evidence_order(e: Evidence) -> tuple:
    """Heaviest first, then in the order the person told the facts (`u1`, `u2`, ...)."""
    return (-e.weight, int(e.fact[1:]))


def assess(kb: KnowledgeBase, conclusions, firings, told: dict, users_by: dict, known: dict) -> list[Cause]:
    """Rank the causes the report's firings bear on. `told` maps fact ids to the person's facts;
    as build_report worked them out, `users_by` maps each firing's number to the person's facts it
    matched and `known` maps fact ids to the causes each bears on (fact_causes)."""
    tallies: dict[str, _Tally] = {}
    by_number = None  # firings by number, for the chain behind a link: made only if there is one

    def tally(cause: str) -> _Tally:
        t = tallies.get(cause)
        if t is None:
            tallies[cause] = t = _Tally({}, {})
        return t

    def add(cause: str, ref, kind: str, weight: float, rule: str, shared: int = 1, against: bool = False):
        t = tally(cause)
        bucket = t.against if against else t.evidence
        # A fact speaks against a cause once, at its heaviest.
        key = ref.id if against else (ref.id, kind)
        if key not in bucket or bucket[key].weight < weight:
            bucket[key] = _EVIDENCE(
                {"fact": ref.id, "text": ref.text, "kind": kind, "weight": round(weight, 4), "rule": rule, "shared_with": shared}
            )

    # The person's food and habit answers: counted as evidence, but not called signs.
    food_ids = {fid for fid, fact in told.items() if getattr(fact, "kind", None) in _FOOD_KINDS}
    shared: dict[str, int] = {}  # shared_by of each of the person's facts, by id, once per report
    for firing in firings:
        for concluded in firing.concluded:
            # Most findings bear on no cause; those whose causes are known to be none are passed
            # over without looking at them again.
            if not known.get(concluded.id, True):
                continue
            finding = concluded.fact
            name, about = finding.get("name"), finding.get("about")
            try:
                causes = _finding_causes(name, about)
            except TypeError:  # a value that cannot be hashed
                causes = causes_of_fact("finding", finding)
            users = users_by[firing.number]
            for cause in causes:
                t = tally(cause)
                t.first = min(t.first, firing.number)
                if name == "twitching_cause":
                    t.explains = True
                    for ref in users:
                        if ref.kind in ("lifestyle", "medication", "condition"):
                            add(cause, ref, "told", TOLD, firing.rule)
                elif name == "deficiency" and finding.get("basis") == "tested":
                    for ref in users:
                        add(cause, ref, "tested_low", TESTED_LOW, firing.rule)
                elif name == "excess_intake":
                    for ref in users:
                        add(cause, ref, "high_dose", HIGH_DOSE, firing.rule)
                elif name == "peripheral_neuropathy":
                    for ref in users:
                        add(cause, ref, "over_time", DOSE_OVER_TIME, firing.rule)
                elif name in ("profile_match", "weak_sign", "excess_sign"):
                    specific = name == "profile_match"
                    for ref in users:
                        if specific:
                            k = 1
                        else:
                            k = shared.get(ref.id)
                            if k is None:
                                shared[ref.id] = k = _shared_by_ref(kb, ref, told)
                        food = ref.kind in _FOOD_KINDS
                        kind = "specific" if specific else ("effect" if name == "excess_sign" else "missing_food" if food else "shared")
                        base = SPECIFIC_SIGN if specific else (MISSING_FOOD if food else SHARED_SIGN)
                        add(cause, ref, kind, base / k, firing.rule, shared=k)
                elif name == "hypocalcemia_risk":
                    # The person's own facts behind the link (the low vitamin D result).
                    if by_number is None:
                        by_number = {f.number: f for f in firings}
                    for n in _chain(firing.number, by_number):
                        for ref in by_number[n].matched:
                            if ref.origin == "user" and ref.kind == "nutrient_level":
                                add(cause, ref, "link", LINK, firing.rule)
    # What speaks against: a ruled-out conclusion's own facts, by the cause each bears on, and
    # for one that says what contradicts a rule, the causes that rule would have concluded.
    ruled_out = _ruled_out(kb)
    for firing in [f for f in firings if f.rule in ruled_out]:
        rule = kb.rule(firing.rule)
        targets: set[str] = set()
        if rule.contradicts:
            for conclusion in kb.rule(rule.contradicts).then:
                if not is_variable(conclusion.about):
                    targets |= causes_of_fact("finding", {"name": conclusion.finding, "about": conclusion.about})
        for ref in firing.matched:
            if ref.origin != "user" or ref.kind not in ("nutrient_level", "supplement"):
                continue
            for cause in causes_of_fact(ref.kind, ref.fact):
                if ref.kind == "nutrient_level" and ref.fact.get("level") in ("normal", "high"):
                    add(cause, ref, "not_low", NOT_LOW, firing.rule, against=True)
                elif ref.kind == "supplement":
                    add(cause, ref, "within_limit", WITHIN_LIMIT, firing.rule, against=True)
            for cause in targets:
                add(cause, ref, "contradicted", CONTRADICTED, firing.rule, against=True)
            for cause in targets | causes_of_fact(ref.kind, ref.fact):
                tally(cause).first = min(tally(cause).first, firing.number)
    # The conclusions bearing on each cause, in report order (walked in that order, they need
    # no sorting: a rule gives one conclusion).
    bears: dict[str, list[str]] = {}
    for c in conclusions:
        for cause in c.causes:
            bears.setdefault(cause, []).append(c.rule)
    out = []
    for cause, t in tallies.items():
        if not t.evidence and not t.against and not t.explains:
            continue
        evidence = sorted(t.evidence.values(), key=_evidence_order)
        against = sorted(t.against.values(), key=_evidence_order)
        score = round(sum(e.weight for e in evidence) - sum(e.weight for e in against), 4)
        standing = _standing(evidence, against, score)
        out.append(
            (
                (-score, not t.explains, -len(evidence), t.first),
                _CAUSE({
                    "cause": cause,
                    "name": _cause_name(cause),
                    "standing": standing,
                    "score": score,
                    "explains": t.explains,
                    "evidence": evidence,
                    "against": against,
                    "reason": _reason(evidence, against, standing, t.explains, cause, food_ids),
                    "conclusions": bears.get(cause, []),
                }),
            )
        )
    out.sort(key=_RANK)
    return [cause for _, cause in out]


def _chain(number: int, by_number: dict) -> set[int]:
    """The firing and every firing whose derived facts it rests on."""
    derivers = {ref.id: f.number for f in by_number.values() for ref in f.concluded}
    seen, stack = set(), [number]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack += [derivers[r.id] for r in by_number[n].matched if r.origin == "rule" and r.id in derivers]
    return seen


def sorted_causes(kind: str, fact: dict) -> tuple[str, ...]:
    """causes_of_fact in alphabetical order, as a conclusion lists them."""
    return tuple(sorted(causes_of_fact(kind, fact)))


def fact_causes(ref) -> tuple[str, ...]:
    """The causes one fact (a FactRef) bears on, in alphabetical order."""
    try:
        return _sorted_causes(ref.kind, tuple(ref.fact.items()))
    except TypeError:  # a value that cannot be hashed: worked out every time
        return sorted_causes(ref.kind, ref.fact)


@lru_cache(maxsize=4096)
def _sorted_causes(kind: str, items: tuple) -> tuple[str, ...]:
    """sorted_causes, remembered by the fact's content: every report asks it of the same findings."""
    return sorted_causes(kind, dict(items))


def _standing(evidence: list[Evidence], against: list[Evidence], score: float) -> str:
    kinds = {e.kind for e in evidence}
    if against and score <= 0:
        return "against"
    for kind, standing in (("tested_low", "tested"), ("high_dose", "dose"), ("told", "told"), ("specific", "suspected")):
        if kind in kinds:
            return standing
    return "weak" if evidence else "against"


_LABELS = {
    "tested_low": "a low test result",
    "high_dose": "a dose above the figure the documents name",
    "told": "you report it",
    "specific": "a sign listed for it alone",
    "effect": "its listed effects",
    "link": "a finding the documents link to it",
}


# Kinds of evidence that do not tie a cause directly to what the person reports.
_NOT_DIRECT = frozenset({"tested_low", "high_dose", "over_time", "told", "link"})
_AGAINST_NOTES = {"within_limit": " (within the figure named)", "contradicted": " (contradicts it)"}


def _item(e: Evidence) -> str:
    return f"{e.text} (shared by {e.shared_with} causes)" if e.shared_with > 1 else e.text


def _reason(
    evidence: list[Evidence], against: list[Evidence], standing: str, explains: bool = True, cause: str = "",
    food_ids: set[str] = frozenset(),
) -> str:
    """The ranking's reason in one line: what speaks for the cause, then what against. `food_ids` are
    the ids of the person's food and habit answers, which are evidence but not signs."""

    def _is_food(e: Evidence) -> bool:
        return e.kind == "missing_food" or e.fact in food_ids

    parts = []
    by_kind: dict[str, list[Evidence]] = {}
    for e in evidence:
        by_kind.setdefault(e.kind, []).append(e)
    # A fact counted as a sign of this cause alone is not listed again among the shared ones.
    alone = {e.fact for e in by_kind.get("specific", ())}
    for kind in ("tested_low", "high_dose", "told", "specific", "effect", "link"):
        items = by_kind.get(kind)
        if kind == "specific" and items:
            signs = [e for e in items if not _is_food(e)]
            foods = [e for e in items if _is_food(e)]
            if signs:
                parts.append(f"{_LABELS[kind]}: {', '.join(_item(e) for e in signs)}")
            if foods:
                parts.append(f"a food source or habit the documents tie to it alone: {', '.join(_item(e) for e in foods)}")
        elif items:
            parts.append(f"{_LABELS[kind]}: {', '.join(_item(e) for e in items)}")
        if kind == "high_dose" and "over_time" in by_kind:
            parts.append("enough, by dose or time, to risk nerve damage")
    # The rest, in one pass: signs the documents list for it (shared with no other cause or with
    # some), and missing foods or habits.
    own, shared, foods = [], [], []
    for e in evidence:
        if e.kind in ("shared", "missing_food") and e.fact not in alone:
            if _is_food(e):
                foods.append(e)
            elif e.shared_with > 1:
                shared.append(e)
            else:
                own.append(e)
    if own:
        parts.append("a sign the documents list for it: " + ", ".join(map(_item, own)))
    if shared:
        parts.append(("only " if standing == "weak" and not own else "") + "signs shared with other causes: "
                     + ", ".join(map(_item, shared)))
    if foods:
        parts.append("a missing food source or habit the documents name for it: " + ", ".join(map(_item, foods)))
    text = "; ".join(parts) or "nothing you said points to it in particular"
    kinds = by_kind.keys()
    if not explains and standing not in ("weak", "against"):
        # Only B6's chain runs to nerve damage; too much magnesium is not said to harm nerves.
        if cause == "vitamin_b6_toxicity" and "high_dose" in kinds and "over_time" not in kinds:
            text += "; nerve damage is not concluded here from the dose and time you told"
        elif kinds <= _NOT_DIRECT:
            text += "; the documents do not tie it directly to what you report"
    if against:
        text += "; against: " + ", ".join(e.text + _AGAINST_NOTES.get(e.kind, "") for e in against)
    return text[0].upper() + text[1:]

