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
from expert.facts.models import IU_PER_MCG, MG_PER_UNIT
from expert.rules.knowledge import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from expert.rules.schema import Comparison, Condition, OneOf, Presence, Rule, is_variable

_OPS = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}
# A condition is tried against at most this many candidate facts.
_MAX_CANDIDATES = 20_000


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


def _numbers_near(test: Comparison) -> list[Decimal]:
    bound = test.value
    return {
        "gt": [bound + 1, bound * 2 + 1],
        "ge": [bound, bound + 1],
        "lt": [bound / 2, bound - 1],
        "le": [bound, bound / 2],
    }[test.op]


def _candidates(condition: Condition) -> dict[str, list]:
    """Values worth trying for each field of the condition's fact kind."""
    model = FACT_MODELS[condition.fact]
    out: dict[str, list] = {}
    for name, info in model.model_fields.items():
        if name == "kind":
            continue
        test = condition.where.get(name)
        vocabulary = field_values(condition.fact, name)
        if test is None or is_variable(test) or isinstance(test, Presence):
            if (isinstance(test, Presence) and not test.known) or (test is None and not info.is_required()):
                out[name] = [None]
            elif vocabulary is not None:
                out[name] = sorted((v for v in vocabulary if v is not None), key=str)
            elif info.annotation is bool or info.annotation == bool | None:
                out[name] = [True, False]
            elif name == "daily_dose":
                out[name] = [1.0]
            else:
                out[name] = ["something"]
        elif isinstance(test, Comparison):
            out[name] = [float(n) for n in _numbers_near(test)]
        elif isinstance(test, OneOf):
            out[name] = list(test.one_of)
        else:
            out[name] = list(test) if isinstance(test, list) else [test]
    # A test on the dose in mg (and none on the dose as given) is met by a dose in some unit:
    # try each unit's equivalent.
    mg_test = condition.where.get("daily_dose_mg")
    if condition.fact == "supplement" and isinstance(mg_test, Comparison) and "daily_dose" not in condition.where:
        doses = set()
        for mg in _numbers_near(mg_test):
            doses |= {float(mg / per_unit) for per_unit in MG_PER_UNIT.values()}
            doses |= {float(mg / Decimal("0.001") * per) for per in IU_PER_MCG.values()}
        out["daily_dose"] = sorted(d for d in doses if d > 0)
    return out


def _passes(test, value) -> bool:
    if isinstance(test, Presence):
        return (value is not None) == test.known
    if value is None:
        return False
    if isinstance(test, Comparison):
        return _OPS[test.op](Decimal(repr(value)) if isinstance(value, float) else Decimal(value), test.value)
    if isinstance(test, list):
        return value in test
    if isinstance(test, OneOf):
        return value in test.one_of
    # True == 1 in Python, but a person's "true" is no number.
    return value == test and isinstance(value, bool) == isinstance(test, bool)


def person_can_meet(condition: Condition) -> bool:
    """Whether some fact a person can give (one the fact models accept) passes every test of the condition."""
    candidates = _candidates(condition)
    names = list(candidates)
    model = FACT_MODELS[condition.fact]
    combos = itertools.islice(itertools.product(*candidates.values()), _MAX_CANDIDATES)
    for values in combos:
        data = {"kind": condition.fact, **{n: v for n, v in zip(names, values) if v is not None}}
        try:
            fact = model.model_validate(data)
        except ValidationError:
            continue
        fields = fact.model_dump()
        if condition.fact == "supplement":
            fields["daily_dose_mg"] = fact.daily_dose_mg
        bound: dict[str, object] = {}
        ok = True
        for name, test in condition.where.items():
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
    if is_variable(value):
        return "?"
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


def _has(word: str, text: str) -> bool:
    for match in re.finditer(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text.casefold()):
        before = text[: match.start()].casefold().split()
        if before and before[-1] in _NOUN_BEFORE.get(word, ()):
            continue
        return True
    return False


def _certainty_problems(kb: KnowledgeBase) -> list[str]:
    problems = []
    for rule in kb.rules:
        quotes = " ".join(s.quote for s in rule.sources)
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
        quotes = " ".join(s.quote for s in rule.sources)
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


def _facts_passing(condition: Condition) -> list[dict]:
    """Candidate facts a person can give that pass the condition's tests (as field dicts)."""
    candidates = _candidates(condition)
    names = list(candidates)
    model = FACT_MODELS[condition.fact]
    out = []
    for values in itertools.islice(itertools.product(*candidates.values()), _MAX_CANDIDATES):
        data = {"kind": condition.fact, **{n: v for n, v in zip(names, values) if v is not None}}
        try:
            fact = model.model_validate(data)
        except ValidationError:
            continue
        fields = fact.model_dump()
        if all(is_variable(t) or _passes(t, fields.get(f)) for f, t in condition.where.items()):
            out.append(fields)
    return out


def _specific_sign_problems(kb: KnowledgeBase) -> list[str]:
    """A sign tied to one nutrient in particular by one rule must not be tied to another in particular."""
    specific = []
    for rule in kb.rules:
        abouts = {c.about for c in rule.then if c.finding == "profile_match" and c.about and not is_variable(c.about)}
        for condition in rule.when:
            if abouts and not condition.absent and condition.fact != "finding":
                specific.append((rule, condition, abouts))
    problems = []
    for i, (rule, condition, abouts) in enumerate(specific):
        for other, other_condition, other_abouts in specific[i + 1 :]:
            if other.id == rule.id or condition.fact != other_condition.fact or not (other_abouts - abouts):
                continue
            shared = next(
                (f for f in _facts_passing(condition)
                 if all(is_variable(t) or _passes(t, f.get(n)) for n, t in other_condition.where.items())),
                None,
            )
            if shared is not None:
                what = ", ".join(f"{k}={shared[k]}" for k in condition.where if shared.get(k) is not None)
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
