"""Is the knowledge base sound? The checks behind `expert check`, each fault one precise line.

- every quote verbatim, no id used twice, every sentence and table row accounted for (the rules
  and the coverage ledger: `KnowledgeBase.problems()`);
- every condition can be met: by a fact a person can give (tried against the fact models) or by
  a finding some rule concludes that can itself fire;
- every finding a rule concludes is used by a condition or shown to the person;
- no cycles in the rule graph;
- no rule that duplicates another or is subsumed by one (the same conclusions from a superset of
  the other's conditions);
- no text more certain than its sources: a hedged rule's text uses no word of certainty, and an
  unhedged rule's only those its quotes use;
- advice in the system's own words (urgent care, emergency services) only in `own_advice`, never
  in the text that stands for the documents;
- a red flag only from what the person reports, never from a finding such as a risk;
- a sign concluded as tied to one nutrient in particular (`profile_match`) never tied to another
  nutrient in particular by a second rule;
- a rule that applies the vitamins document's comparison table, whose columns take magnesium and
  vitamin B6 as their examples, to anything else says in its text that it generalises.
"""

import itertools
import json
import operator
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from expert.util.arguments import instance_argument
from expert.kb.graph import Edge, can_satisfy, describe_condition, field_values, rule_edges
from expert.explain.render import CATEGORY_HEADINGS
from expert.facts import FACT_MODELS
from expert.facts.models import IU_PER_MCG, MAX_DAILY_DOSE_MG, MAX_DURATION_MONTHS, MG_PER_UNIT
from expert.rules.knowledge import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from expert.rules.schema import Comparison, Condition, OneOf, Presence, Rule, accepted_values, is_variable

_OPS = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


@dataclass(frozen=True)
class Coverage:
    """How many sentences and table rows of the documents the knowledge base accounts for."""

    sentences: int
    sentences_cited: int
    sentences_set_aside: int
    rows: int
    rows_cited: int
    rows_set_aside: int

    @property
    def sentences_accounted(self) -> int:
        return self.sentences_cited + self.sentences_set_aside

    @property
    def rows_accounted(self) -> int:
        return self.rows_cited + self.rows_set_aside

    def lines(self) -> list[str]:
        return [
            f"coverage: {self.sentences_accounted} of {self.sentences} sentences and "
            f"{self.rows_accounted} of {self.rows} table rows accounted for",
            f"  sentences: {self.sentences_cited} cited by a rule, {self.sentences_set_aside} set aside, "
            f"{self.sentences - self.sentences_accounted} unaccounted for",
            f"  table rows: {self.rows_cited} cited by a rule, {self.rows_set_aside} set aside, "
            f"{self.rows - self.rows_accounted} unaccounted for",
        ]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking a knowledge base: its problems (empty when sound) and figures."""

    problems: list[str]
    coverage: Coverage | None = None  # None when the knowledge base does not even load
    rules: int = 0
    edges: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems


def coverage_figures(kb: KnowledgeBase) -> Coverage:
    counts = {(table, what): 0 for table in (False, True) for what in ("all", "cited", "aside")}
    for cov in kb.coverage():
        table = cov.unit.is_table_row
        counts[table, "all"] += 1
        if cov.rules:
            counts[table, "cited"] += 1
        elif cov.set_aside is not None:
            counts[table, "aside"] += 1
    return Coverage(
        sentences=counts[False, "all"],
        sentences_cited=counts[False, "cited"],
        sentences_set_aside=counts[False, "aside"],
        rows=counts[True, "all"],
        rows_cited=counts[True, "cited"],
        rows_set_aside=counts[True, "aside"],
    )


# --- can a person say something that meets a condition? ---------------------------------------


# The mg in one of each unit a dose may be given in: 0.000025 (an IU of vitamin D, the one nutrient
# whose IU has a mass: 40 IU = 1 mcg), 0.001 (mcg, µg, ug), 1 (mg) and 1,000 (g).
_MG_PER = sorted({*MG_PER_UNIT.values(), *(MG_PER_UNIT["mcg"] / iu for iu in IU_PER_MCG.values())})


def _bounds(test, per: Decimal = Decimal(1)) -> list[tuple[str, Decimal]]:
    """A comparison's bound, as (op, figure), in a unit `per` times as large as the test's own."""
    return [(test.op, test.value / per)] if isinstance(test, Comparison) else []


def _middle(bounds: list[tuple[str, Decimal]], low: Decimal, high: Decimal) -> float:
    """The figure halfway between the highest lower bound and the lowest upper one (`low` and `high`
    among them: the fact model's edges). Every figure strictly between the two passes every bound,
    and when the two meet the one figure left is the middle, so the middle passes them all if any
    figure does: whether a bound is strict is for `_passes` to judge."""
    low = max([low, *(b for op, b in bounds if op in ("gt", "ge"))])
    high = min([high, *(b for op, b in bounds if op in ("lt", "le"))])
    return float((low + high) / 2)


def _doses(conditions: tuple[Condition, ...]) -> list[float]:
    """Daily doses worth trying, in each unit: the dose as given and the dose in mg are one quantity
    in two units, so in each unit the middle of the doses the fact model accepts (more than 0, at
    most MAX_DAILY_DOSE_MG) that pass every comparison on either; and the figures a literal, list
    or one-of fixes for the dose in mg, in each unit (those for the dose as given are its own
    candidates)."""
    given = [b for c in conditions for b in _bounds(c.where.get("daily_dose"))]
    in_mg = [c.where.get("daily_dose_mg") for c in conditions]
    doses = []
    for per in _MG_PER:
        bounds = given + [b for test in in_mg for b in _bounds(test, per)]
        doses.append(_middle(bounds, Decimal(0), MAX_DAILY_DOSE_MG / per))
        doses += [float(Decimal(repr(v)) / per) for test in in_mg for v in accepted_values(test) or []
                  if isinstance(v, (int, float))]
    return doses


# The fields a person gives as figures (a supplement's dose and time).
_FIGURES = ("daily_dose", "duration_months")


def _candidates(*conditions: Condition) -> dict[str, list]:
    """Values worth trying for each field of a fact (of the conditions' one kind) that is to pass the
    tests of every condition: every value a vocabulary, a literal, list or one-of names, and for a
    figure the middle of what its comparisons and the fact model's edges leave (`_middle`)."""
    model = FACT_MODELS[conditions[0].fact]
    out: dict[str, list] = {}
    for name, info in model.model_fields.items():
        if name == "kind":
            continue
        vocabulary = field_values(conditions[0].fact, name)
        values = []
        for condition in conditions:
            test = condition.where.get(name)
            if (isinstance(test, Presence) and not test.known) or (test is None and not info.is_required()):
                values.append(None)
            elif test is None or is_variable(test) or isinstance(test, Presence):
                if vocabulary is not None:
                    values += sorted((v for v in vocabulary if v is not None), key=str)
                elif info.annotation is bool or info.annotation == bool | None:
                    values += [True, False]
                elif name in _FIGURES:
                    # One figure for the dose and the time alike, so that one variable can name both.
                    values.append(1.0)
                else:
                    values.append("something")
            else:
                values += accepted_values(test) or []
        if name == "daily_dose":
            values += _doses(conditions)
        elif bounds := [b for c in conditions for b in _bounds(c.where.get(name))]:
            values.append(_middle(bounds, Decimal(0), Decimal(MAX_DURATION_MONTHS)))
        out[name] = list(dict.fromkeys(values))
    return out


def _passes(test, value) -> bool:
    if isinstance(test, Presence):
        return (value is not None) == test.known
    if value is None:
        return False
    if isinstance(test, Comparison):
        return _OPS[test.op](Decimal(repr(value)) if isinstance(value, float) else Decimal(value), test.value)
    if isinstance(test, (list, frozenset)):
        return value in test
    if isinstance(test, OneOf):
        return value in test.one_of
    # True == 1 in Python, but a person's "true" is no number.
    return value == test and isinstance(value, bool) == isinstance(test, bool)


def _lookup_tests(condition: Condition) -> dict:
    """The condition's tests with each list a set: a rule's long list is looked up, not scanned,
    once per candidate fact (`in` compares alike: every value a test holds can be hashed)."""
    return {name: frozenset(t) if isinstance(t, list) else t for name, t in condition.where.items()}


def person_can_meet(condition: Condition) -> bool:
    """Whether some fact a person can give (one the fact models accept) passes every test of the condition."""
    candidates = _candidates(condition)
    names = list(candidates)
    model = FACT_MODELS[condition.fact]
    tests = _lookup_tests(condition)
    # Every candidate is tried: each field's list holds only values that pass its own test, so the
    # product stays small unless a rule itself lists many values.
    for values in itertools.product(*candidates.values()):
        data = {"kind": condition.fact, **{n: v for n, v in zip(names, values) if v is not None}}
        try:
            fact = model.model_validate(data)
        except ValidationError:
            continue
        fields = _fact_fields(fact)
        bound: dict[str, object] = {}
        ok = True
        for name, test in tests.items():
            value = fields.get(name)
            if is_variable(test):
                ok = bound.setdefault(test, value) == value and (value is not None or name in fields)
            else:
                ok = _passes(test, value)
            if not ok:
                break
        if ok:
            return True
    return False


# --- the checks -------------------------------------------------------------------------------


def _condition_problems(kb: KnowledgeBase) -> list[str]:
    problems = []
    dead: set[str] = set()  # rules with a condition nothing can meet: they never fire
    fed: list[tuple[str, str, list[str]]] = []  # (rule, condition, the rules whose findings can meet it)
    for rule in kb.rules:
        for index, condition in enumerate(rule.when, start=1):
            where = f"rule {rule.id}: condition {index} ({describe_condition(condition)})"
            if condition.fact == "finding":
                producers = [s.id for s in kb.rules if any(can_satisfy(c, s, condition) for c in s.then)]
                if producers:
                    fed.append((rule.id, where, producers))
                else:
                    problems.append(f"{where}: can never be met: no rule concludes such a finding")
                    dead.add(rule.id)
            elif not person_can_meet(condition):
                if condition.absent:
                    problems.append(f"{where}: no fact a person can give is excluded by it, so it always holds")
                else:
                    problems.append(f"{where}: can never be met: no fact a person can give passes its tests")
                    dead.add(rule.id)
    # A rule that never fires concludes nothing: follow that down the chains it would feed.
    changed = True
    while changed:
        changed = False
        for rule_id, where, producers in fed:
            if rule_id not in dead and all(p in dead for p in producers):
                fire = ", ".join(producers)
                problems.append(f"{where}: can never be met: only rules that never fire conclude it ({fire})")
                dead.add(rule_id)
                changed = True
    return problems


def _unused_findings(kb: KnowledgeBase) -> list[str]:
    problems = []
    for rule in kb.rules:
        shown = rule.category in CATEGORY_HEADINGS and bool(rule.text.strip())
        for conclusion in rule.then:
            used = any(can_satisfy(conclusion, rule, c) for other in kb.rules for c in other.when)
            if not used and not shown:
                problems.append(
                    f"rule {rule.id}: concludes {conclusion.finding} but no rule uses it and it is not shown"
                )
    return problems


def _cycles(kb: KnowledgeBase, edges: list[Edge]) -> list[str]:
    """One line per strongly connected part of the rule graph that holds a cycle."""
    order = {rule.id: i for i, rule in enumerate(kb.rules)}
    successors: dict[str, list[str]] = {rule.id: [] for rule in kb.rules}
    for edge in edges:
        if edge.target not in successors[edge.source]:
            successors[edge.source].append(edge.target)
    # Tarjan's algorithm, iterative so that a long chain cannot exhaust the stack.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in successors:
        if root in index:
            continue
        work = [(root, iter(successors[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(successors[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    problems = []
    for component in components:
        members = set(component)
        start = min(component, key=order.__getitem__)
        if len(component) == 1 and start not in successors[start]:
            continue
        problems.append("cycle: " + " -> ".join(_cycle_through(start, members, successors)))
    problems.sort()
    return problems


def _cycle_through(start: str, members: set[str], successors: dict[str, list[str]]) -> list[str]:
    """A shortest path from `start` back to itself inside one strongly connected part."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in successors[node]:
                if child == start:
                    return paths[node] + [start]
                if child in members and child not in paths:
                    paths[child] = paths[node] + [child]
                    following.append(child)
        frontier = following
    return [start, start]


def _normal(value):
    """A value as a rule's key holds it: every variable alike, "?" (whatever its name), and a literal
    text that starts with "?" (a medication may be named "?") one "?" longer, so that no literal
    reads as a variable."""
    if is_variable(value):
        return "?"
    if isinstance(value, str) and value.startswith("?"):
        return "?" + value
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _condition_key(condition: Condition) -> str:
    data = condition.model_dump(mode="json")
    data["where"] = {k: _normal(v) for k, v in data["where"].items()}
    return json.dumps(data, sort_keys=True)


def _conclusion_key(rule: Rule) -> frozenset:
    if not rule.then:
        # A rule that concludes no finding concludes what it shows: its text.
        return frozenset({("text", rule.text)})
    return frozenset(
        (c.finding, _normal(c.about) if c.about else None, _normal(c.basis) if c.basis else None) for c in rule.then
    )


def _redundant_rules(kb: KnowledgeBase) -> list[str]:
    problems = []
    keys = [(rule, frozenset(map(_condition_key, rule.when)), _conclusion_key(rule)) for rule in kb.rules]
    for i, (rule, conditions, conclusions) in enumerate(keys):
        for j, (other, other_conditions, other_conclusions) in enumerate(keys):
            if i == j or conclusions != other_conclusions:
                continue
            if conditions == other_conditions and j < i:
                problems.append(f"rule {rule.id}: duplicates rule {other.id} (the same conditions and conclusions)")
            elif other_conditions < conditions:
                problems.append(
                    f"rule {rule.id}: subsumed by rule {other.id} (the same conclusions from fewer conditions: "
                    "whenever it fires, so does the other)"
                )
    return problems


# --- what the text may say ------------------------------------------------------------------------

# Words that state a thing as certain. In a hedged rule's text none may stand (the hedge says the
# documents are not certain); in an unhedged rule's text, only those the rule's quotes use.
CERTAINTY_WORDS = (
    "always", "never", "certainly", "definitely", "clearly", "surely", "undoubtedly", "proves",
    "proven", "means", "will", "must", "causes", "is caused", "the cause", "is how", "unlikely",
    "not the", "rules out", "ruled out", "cannot", "the severe", "leads to", "results in",
    "is due to", "guaranteed", "impossible",
)
# Words of advice the documents never give: they belong in `own_advice`, marked as ours.
OWN_ADVICE_WORDS = ("urgent", "urgently", "emergency", "call", "seek", "immediately", "right away", "at once", "ambulance")


# "causes" is certain as a verb ("it causes twitching"), not as a noun ("other causes").
_NOUN_BEFORE = {"causes": ("other", "possible", "several", "the", "these", "its", "of", "many", "various", "all", "named", "lifestyle")}


# A character of a word, as `_has` reads words: a hyphen joins two into one.
_WORD_CHARACTER = re.compile(r"[\w-]")


def _has(word: str, text: str) -> bool:
    for match in re.finditer(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text.casefold()):
        before = text[: match.start()].casefold().split()
        if before and before[-1] in _NOUN_BEFORE.get(word, ()):
            continue
        return True
    return False


def _quoted_words(kb: KnowledgeBase, rule: Rule) -> str:
    """The rule's quotes, each widened to the whole words of its document where it stands: a quote
    cut in the middle of a word ("a condition call", from "a condition called") does not hold the
    cut-off word ("call")."""
    parts = []
    for source in rule.sources:
        document = kb.documents.get(source.document)
        text = document.text if document is not None else ""
        start = text.find(source.quote)
        if start < 0:  # not verbatim: `kb.problems()` says so
            parts.append(source.quote)
        while start >= 0:
            begin, end = start, start + len(source.quote)
            while begin > 0 and _WORD_CHARACTER.match(text[begin - 1]):
                begin -= 1
            while end < len(text) and _WORD_CHARACTER.match(text[end]):
                end += 1
            parts.append(text[begin:end])
            start = text.find(source.quote, start + 1)
    return " ".join(parts)


def _certainty_problems(kb: KnowledgeBase) -> list[str]:
    problems = []
    for rule in kb.rules:
        quotes = _quoted_words(kb, rule)
        hedge = (rule.hedge or "").casefold()
        for word in CERTAINTY_WORDS:
            if not _has(word, rule.text) or _has(word, hedge):
                continue
            if rule.hedge:
                problems.append(
                    f"rule {rule.id}: its text says {word!r}, more certain than its hedge {rule.hedge!r}"
                )
            elif not _has(word, quotes):
                problems.append(f"rule {rule.id}: its text says {word!r}, which none of its quotes says")
    return problems


def _own_advice_problems(kb: KnowledgeBase) -> list[str]:
    problems = []
    for rule in kb.rules:
        quotes = _quoted_words(kb, rule)
        for word in OWN_ADVICE_WORDS:
            if _has(word, rule.text) and not _has(word, quotes):
                problems.append(
                    f"rule {rule.id}: its text gives advice in our own words ({word!r}): put it in own_advice"
                )
                break
    return problems


def _red_flag_problems(kb: KnowledgeBase) -> list[str]:
    problems = []
    for rule in kb.rules:
        if rule.category == "red_flag":
            derived = [c for c in rule.when if not c.absent and c.fact == "finding"]
            if derived:
                problems.append(
                    f"rule {rule.id}: a red flag concluded from a finding ({describe_condition(derived[0])}); "
                    "a red flag comes only from what the person reports"
                )
            if not any(c.fact == "symptom" and not c.absent for c in rule.when):
                problems.append(f"rule {rule.id}: a red flag with no symptom the person reports")
        elif any(c.finding == "urgent_care" for c in rule.then):
            problems.append(f"rule {rule.id}: concludes urgent care but is not a red flag reported by the person")
    return problems


def _fact_fields(fact) -> dict:
    """A fact's fields as a condition tests them: a supplement's dose in mg too."""
    fields = fact.model_dump()
    if fact.kind == "supplement":
        fields["daily_dose_mg"] = fact.daily_dose_mg
    return fields


def _shared_fact(condition: Condition, other: Condition) -> dict | None:
    """The fields of a fact a person can give that passes the tests of both conditions (of one kind),
    or None. Each field is tried with the values of both conditions: a twitching of the eyelids
    passes both "twitching" and "twitching of the eyelids", whichever is tried first."""
    candidates = _candidates(condition, other)
    names = list(candidates)
    model = FACT_MODELS[condition.fact]
    tests = [(f, t) for c in (condition, other) for f, t in _lookup_tests(c).items() if not is_variable(t)]
    for values in itertools.product(*candidates.values()):
        data = {"kind": condition.fact, **{n: v for n, v in zip(names, values) if v is not None}}
        try:
            fact = model.model_validate(data)
        except ValidationError:
            continue
        fields = _fact_fields(fact)
        if all(_passes(t, fields.get(f)) for f, t in tests):
            return fields
    return None


def _specific_sign_problems(kb: KnowledgeBase) -> list[str]:
    """A sign tied to one nutrient in particular by one rule must not be tied to another in particular.

    Whatever the rules' order: a fact that passes both rules' conditions is tied to the nutrients
    of both, so twitching anywhere tied to magnesium and twitching of the eyelids tied to calcium
    tie a twitching of the eyelids to both."""
    specific = []
    for rule in kb.rules:
        abouts = {c.about for c in rule.then if c.finding == "profile_match" and c.about and not is_variable(c.about)}
        for condition in rule.when:
            if abouts and not condition.absent and condition.fact != "finding":
                specific.append((rule, condition, abouts))
    problems = []
    for i, (rule, condition, abouts) in enumerate(specific):
        for other, other_condition, other_abouts in specific[i + 1 :]:
            if other.id == rule.id or condition.fact != other_condition.fact or abouts == other_abouts:
                continue
            shared = _shared_fact(condition, other_condition)
            if shared is not None:
                keys = dict.fromkeys([*condition.where, *other_condition.where])
                what = ", ".join(f"{k}={shared[k]}" for k in keys if shared.get(k) is not None)
                problems.append(
                    f"rule {rule.id}: ties {condition.fact}({what}) to {', '.join(sorted(abouts))} in particular, "
                    f"but rule {other.id} ties it to {', '.join(sorted(other_abouts))} in particular"
                )
    return problems


# The vitamins document's comparison table takes magnesium (deficiency) and vitamin B6 (excess)
# as the examples of its columns.
_TABLE_EXAMPLES = {"magnesium", "vitamin_b6"}


def _subjects(rule: Rule) -> set[str]:
    found = set()
    for condition in rule.when:
        for field in ("nutrient", "about"):
            test = condition.where.get(field)
            values = test.one_of if isinstance(test, OneOf) else test if isinstance(test, list) else [test]
            found |= {v for v in values if isinstance(v, str) and not is_variable(v)}
    for conclusion in rule.then:
        if conclusion.about and not is_variable(conclusion.about):
            found.add(conclusion.about)
    # "magnesium_deficiency" is about magnesium.
    return {re.sub(r"_(deficiency|excess|toxicity)$", "", v) for v in found}


def _generalisation_problems(kb: KnowledgeBase) -> list[str]:
    problems = []
    for rule in kb.rules:
        rows = [s for s in rule.sources if s.document == "vitamins" and s.quote.startswith("|")]
        subjects = _subjects(rule)
        if rows and (not subjects or subjects - _TABLE_EXAMPLES) and "example" not in rule.text.casefold():
            about = ", ".join(sorted(subjects - _TABLE_EXAMPLES)) or "nutrients in general"
            problems.append(
                f"rule {rule.id}: applies the vitamins document's table (its examples are magnesium and "
                f"vitamin B6) to {about}; its text must say that it generalises"
            )
    return problems


def check_knowledge_base(kb: KnowledgeBase) -> CheckResult:
    """Every fault of a loaded knowledge base, one line each, with its coverage figures."""
    instance_argument(kb, "kb", KnowledgeBase, "a KnowledgeBase (from rules.knowledge.load_knowledge_base)")
    edges = rule_edges(kb)
    problems = (
        kb.problems()
        + _condition_problems(kb)
        + _unused_findings(kb)
        + _cycles(kb, edges)
        + _redundant_rules(kb)
        + _certainty_problems(kb)
        + _own_advice_problems(kb)
        + _red_flag_problems(kb)
        + _specific_sign_problems(kb)
        + _generalisation_problems(kb)
    )
    return CheckResult(problems=problems, coverage=coverage_figures(kb), rules=len(kb.rules), edges=len(edges))


def check_files(kb_dir: str | Path | None = None, ledger_file: str | Path | None = None) -> CheckResult:
    """Load a knowledge base from its files and check it; faults that stop loading are its problems."""
    try:
        kb = load_knowledge_base(kb_dir, ledger_file)
    except KnowledgeBaseError as exc:
        return CheckResult(problems=list(exc.problems), notes=["the knowledge base does not load: fix these first"])
    return check_knowledge_base(kb)
