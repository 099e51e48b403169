"""Compiling rules-as-data into an experta knowledge engine, once per process."""

import inspect
import logging
import operator
from bisect import bisect_left, bisect_right
from decimal import Decimal
from functools import cache

from expert.engine import _quiet  # noqa: F401  (keeps experta from configuring logging: before any experta import)
from experta import AS, MATCH, NOT, DefFacts, KnowledgeEngine, L, P, Rule as ExpertaRule
from experta import Fact as ExpertaFact
from experta import watchers
from experta.agenda import Agenda
from experta.conditionalelement import ConditionalElement
from experta.factlist import FactList
from experta.strategies import DepthStrategy
from experta.utils import freeze

from expert.engine.matcher import AnyOf, FastReteMatcher
from expert.facts import FACT_MODELS
from expert.rules.knowledge import KnowledgeBase
from expert.rules.schema import Comparison, Condition, OneOf, Presence, Rule, is_variable

_OPS = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


# One experta fact class per kind, so that a pattern is tested only against facts of its kind.
_FACT_CLASSES: dict[str, type[ExpertaFact]] = {
    kind: type("".join(p.title() for p in kind.split("_")), (ExpertaFact,), {})
    for kind in (*FACT_MODELS, "finding")
}


def _fact_class(kind: str) -> type[ExpertaFact]:
    return _FACT_CLASSES[kind]


class CitedStrategy(DepthStrategy):
    """Depth-first like CLIPS, with ties broken by the rule's place in the knowledge base.

    experta's own strategy leaves ties to the order in which activations come out of sets,
    which changes with PYTHONHASHSEED; firing order here depends only on the facts and rules.
    """

    def get_key(self, activation):
        facts = sorted([f["__factid__"] for f in activation.facts], reverse=True)
        return (activation.rule.salience, facts, -activation.rule._wrapped.ordinal)

    def _update_agenda(self, agenda, added, removed):
        """DepthStrategy's, on a KeyedAgenda: an activation is placed by bisecting the list of
        keys, which compares tuples in C, where experta bisects the activations themselves and
        calls Activation.__lt__ (a Python method) at every step. The places are the same:
        experta's removal looks at the left bisection point and its two neighbours, in that order,
        and its insertion goes after any activation of an equal key."""
        keys = getattr(agenda, "keys", None)
        if keys is None:  # experta's own Agenda (bench/engines.py's shipped engine)
            return super()._update_agenda(agenda, added, removed)
        activations = agenda.activations
        get_key = self.get_key
        for act in removed:
            act.key = key = get_key(act)
            idx = bisect_left(keys, key)
            for offset in (0, 1, -1):
                at = idx + offset
                try:
                    if activations[at] == act:
                        del activations[at]
                        del keys[at]
                        break
                except IndexError:
                    pass
        for act in added:
            act.key = key = get_key(act)
            idx = bisect_right(keys, key)
            keys.insert(idx, key)
            activations.insert(idx, act)


class KeyedAgenda(Agenda):
    """experta's Agenda with each activation's key beside it (`keys[i]` is `activations[i].key`),
    kept so by CitedStrategy, the only strategy a compiled engine has."""

    def __init__(self):
        super().__init__()
        self.keys = []

    def get_next(self):
        try:
            activation = self.activations.pop()
        except IndexError:
            return None
        self.keys.pop()
        return activation


class LeanFactList(FactList):
    """experta's fact list, whose `declare` does the same work with less: a fact class's own
    validation only where it defines fields (ours define none), the fact's identity (what makes
    declaring the same content again a duplicate) taken in one pass, and the log line made only
    when experta's FACTS watcher is on. Facts are numbered, kept and counted as experta does."""

    def declare(self, fact):
        if not isinstance(fact, ExpertaFact):
            raise ValueError("The fact must descend the Fact class.")
        if fact.__fields__:
            fact.validate()
        # FactList._get_fact_id, with Fact.is_special written out.
        fact_id = frozenset([fact.__class__, *(
            item for item in fact.items()
            if not (item[0].__class__ is str and item[0][:2] == "__" and item[0][-2:] == "__")
        )])
        counter = self.reference_counter
        count = counter.get(fact_id, 0)
        if count == 0 or self.duplication:
            idx = self.last_index
            dict.__setitem__(fact, "__factid__", idx)  # what the Fact.__factid__ setter does
            self[idx] = fact
            self.last_index = idx + 1
            self.added.append(fact)
            counter[fact_id] = count + 1  # without Counter.__missing__, a call in Python
            # experta's Fact.__hash__, worked out now: every declared fact is hashed as it enters
            # the network, and experta's first call would find no `_hash` and raise inside itself.
            fact._hash = hash(frozenset(fact.items()))
            if _FACTS_WATCHER.isEnabledFor(logging.INFO):
                _FACTS_WATCHER.info(" ==> %s: %r", fact, fact)
            return fact
        return None


_FACTS_WATCHER = watchers.FACTS


class CompiledEngine(KnowledgeEngine):
    """experta's KnowledgeEngine, reset and run without work whose result nobody reads.

    experta's reset looks for deffacts with `inspect.getmembers` over the whole engine (every
    rule included) and walks every node of the network; its run formats a log line for every
    firing whether or not anyone listens. Here the deffacts are found once per class, the
    matcher clears only what was used (FastReteMatcher), and the log line is made only when
    experta's RULES watcher is on. Everything else is experta's, in experta's order.
    """

    def reset(self, **kwargs):
        self.agenda = KeyedAgenda()
        self.facts = LeanFactList()
        self.matcher.reset()
        facts = []
        for name, accepted in _deffacts_of(type(self)):
            deffact = getattr(self, name)  # binds the descriptor to this engine, as experta does
            deffact.ke = self
            given = kwargs if accepted is None else {k: v for k, v in kwargs.items() if k in accepted}
            facts.extend(deffact(**given))
        self._KnowledgeEngine__declare(*facts)
        self.running = False

    def _KnowledgeEngine__declare(self, *facts):
        # experta's __declare (which declare() calls), its checks written as plain loops.
        for fact in facts:
            for value in fact.values():
                if isinstance(value, ConditionalElement):
                    raise TypeError("Declared facts cannot contain conditional elements")
        for fact in facts:
            for key in fact:
                if "__" in str(key).strip("__"):  # noqa: B005 (experta's own test, kept as it is)
                    raise KeyError("Cannot declare facts containing double underscores as keys.")
        last_inserted = None
        for fact in facts:
            last_inserted = self.facts.declare(fact)
        if not self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)
        return last_inserted

    def declare_concluded(self, fact):
        """Declare a finding a firing concluded. While the engine runs, experta's `declare` only
        adds the fact to the list (the agenda is worked out at the run's next step), after checking
        that no value is a conditional element and no key holds a double underscore; a finding
        made by `to_experta("finding", ...)` from a rule's conclusion passes both, so here they
        are not made again."""
        if not self.running:
            return self.declare(fact)
        return self.facts.declare(fact)

    def run(self, steps=float("inf")):
        self.running = True
        execution = 0
        rules_watcher = watchers.RULES
        # Whether experta's AGENDA and ACTIVATIONS watchers listen, asked once per run rather than
        # at every step (a rule's firing here only records it: it cannot turn a watcher on).
        agenda_watched = watchers.worth("AGENDA", "DEBUG")
        update_agenda = self.strategy.update_agenda
        if not watchers.worth("ACTIVATIONS", "INFO"):
            update_agenda = self.strategy._update_agenda  # the same, without the log lines nobody reads
        matcher = self.matcher
        while steps > 0 and self.running:
            # self.get_activations(), written out.
            added, removed = matcher.changes(*self.facts.changes)
            update_agenda(self.agenda, added, removed)
            if agenda_watched:  # pragma: no cover
                for idx, act in enumerate(self.agenda.activations):
                    watchers.AGENDA.debug("%d: %r %r", idx, act.rule.__name__, ", ".join(str(f) for f in act.facts))
            activation = self.agenda.get_next()
            if activation is None:
                break
            steps -= 1
            execution += 1
            if rules_watcher.isEnabledFor(logging.INFO):
                rules_watcher.info("FIRE %s %s: %s", execution, activation.rule.__name__,
                                   ", ".join(str(f) for f in activation.facts))
            # Every rule here is a compiled one (CitedStrategy has already read its ordinal): its
            # firing goes to the recorder without experta's two rounds of keyword arguments.
            activation.rule._wrapped.direct(self, activation.context)
        self.running = False


@cache
def _deffacts_of(engine_class) -> tuple[tuple[str, frozenset | None], ...]:
    """The names of an engine class's deffacts in experta's order, each with the keyword
    arguments it accepts (None: any, it takes **kwargs)."""
    found = []
    for name, member in inspect.getmembers(engine_class):
        if isinstance(member, DefFacts):
            parameters = inspect.signature(member).parameters.values()
            accepted = None if any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters) else frozenset(
                p.name for p in parameters)
            found.append((member.order, name, accepted))
    found.sort(key=lambda item: item[0])
    return tuple((name, accepted) for _, name, accepted in found)


def _field_constraint(test, kind: str, field: str):
    if isinstance(test, Comparison):
        return P(_comparison(test.op, test.value))
    if isinstance(test, Presence):
        return P(_is_known if test.known else _is_unknown)
    if isinstance(test, OneOf):
        return MATCH.__getattr__(test.bind[1:]) & P(_any_of(frozenset(test.one_of)))
    if isinstance(test, list):
        if any(is_variable(v) for v in test):
            raise ValueError(f"{kind}.{field}: a list of values cannot hold a variable")
        return P(_any_of(frozenset(test)))
    if is_variable(test):
        return MATCH.__getattr__(test[1:])
    return L(test)


# The same test in two rules is the same function, so that experta shares its alpha node (it
# shares a predicate only when it is the same object): a knowledge base ten times the size does
# not test a supplement's dose ten times.


@cache
def _comparison(op: str, bound: Decimal):
    compare = _OPS[op]
    return lambda x: x is not None and compare(Decimal(x), bound)


def _is_known(x) -> bool:
    return x is not None


def _is_unknown(x) -> bool:
    return x is None


@cache
def _any_of(accepted: frozenset) -> AnyOf:
    return AnyOf(accepted)


def _pattern(condition: Condition):
    cls = _fact_class(condition.fact)
    return cls(**{f: _field_constraint(t, condition.fact, f) for f, t in condition.where.items()})


# Matched facts are bound under an upper-case name, which no rule variable can have.
_FACT_BINDING = "F"


def _fact_binding(index: int) -> str:
    return f"{_FACT_BINDING}{index}"


def _make_rhs(rule: Rule):
    # The names the matched facts are bound to, worked out once per rule rather than per firing.
    fact_names = [_fact_binding(i) for i, c in enumerate(rule.when) if not c.absent]
    # The rule's variables: those its positive conditions bind (an absent condition may only use
    # those, Rule's validation says), which are the activation's context less the facts' names.
    variables = sorted({name[1:] for c in rule.when if not c.absent for name in c.variables()})

    def fire(*args, **context):
        # experta passes the engine last (and sometimes its own bound instance first).
        direct(args[-1], context)

    def direct(engine, context):
        # What `fire` does, called by CompiledEngine.run with the activation's context as it is:
        # the matched facts and the variables are read by name, whatever else it holds.
        engine.recorder.record(
            engine, rule, [context[name] for name in fact_names], {name: context[name] for name in variables}
        )

    fire.__name__ = rule.id
    fire.direct = direct
    return fire


def compile_rule(rule: Rule, ordinal: int) -> ExpertaRule:
    """One rule as an experta rule: each positive condition bound as F<i>, each absent one a NOT."""
    patterns = []
    # Absent conditions go last: experta reads a NOT's variables as bound only by the patterns
    # before it, so a NOT listed first would test "no such fact at all" (found against CLIPS).
    for i, condition in sorted(enumerate(rule.when), key=lambda item: item[1].absent):
        pattern = _pattern(condition)
        patterns.append(NOT(pattern) if condition.absent else AS.__getattr__(_fact_binding(i)) << pattern)
    rhs = _make_rhs(rule)
    # experta rebuilds rule objects while compiling its network, keeping only the function:
    # the rule's place in the knowledge base travels on it.
    rhs.ordinal = ordinal
    return ExpertaRule(*patterns, salience=rule.salience)(rhs)


@cache
def compile_knowledge_base(kb: KnowledgeBase) -> type[KnowledgeEngine]:
    """The knowledge base as a KnowledgeEngine subclass; each session instantiates its own."""
    namespace = {f"rule_{i:04d}": compile_rule(rule, i) for i, rule in enumerate(kb.rules)}
    namespace["__strategy__"] = CitedStrategy
    namespace["__matcher__"] = FastReteMatcher
    return type("CompiledKnowledgeBase", (CompiledEngine,), namespace)


# Values experta's Fact stores as they are (its `freeze` returns a hashable value unchanged).
_PLAIN_VALUES = frozenset({str, bool, int, float, Decimal, type(None)})


def to_experta(kind: str, fields: dict) -> ExpertaFact:
    """A fact of ours as an experta fact of its kind's class.

    What `Fact(**fields)` builds, without its per-field `__setitem__` and `freeze` dispatch
    where the value is one that freeze leaves as it is.
    """
    fact = dict.__new__(_fact_class(kind))
    dict.update(fact, {k: v if type(v) in _PLAIN_VALUES else freeze(v) for k, v in fields.items()})
    fact._Fact__defaults = {}
    return fact
