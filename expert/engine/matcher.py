"""experta's Rete network, walked without the overheads that dominated a consultation.

`FastReteMatcher` lets experta build its network exactly as it always does (its rule preparation,
its alpha tests shared between rules, its join, not and conflict-set nodes) and changes only how a
fact travels through it:

- the alpha network is compiled: a fact goes to the tests of its own class only (one dict lookup),
  and the sibling tests that compare one field with a literal are one dict lookup on the field's
  value instead of one test each. A test is made before anything is copied, and a binding makes a
  new context only when it adds something (experta copies the token before every test);
- the join, not and conflict-set nodes keep the same memories and the same results, but are
  handed their tokens without a copy (none of them changes a token it receives) and without
  debug logging nobody reads;
- only the rules whose matches changed are asked for new activations (a firing does not cost
  time in proportion to the size of the knowledge base), and a reset clears only the nodes that
  were given a token since the last one.

The activations reaching the agenda are the same as experta's own matcher gives, so what fires,
on which facts and in which order is unchanged; tests/test_matcher.py checks this firing by
firing against experta's ReteMatcher, and the CLIPS differential tests check both against CLIPS.
A network holding anything this module does not know how to walk (a TEST, a negated field
constraint, a nested field) is left to experta's own walk, with the dirty tracking only.
"""

from collections.abc import Mapping

from expert.engine import _quiet  # noqa: F401  (keeps experta from configuring logging: before any experta import)
from experta.fieldconstraint import ANDFC, L, P, W
from experta.matchers.rete import ReteMatcher
from experta.matchers.rete.check import FactCapture, FeatureCheck, SameContextCheck, TypeCheck
from experta.matchers.rete.nodes import BusNode, ConflictSetNode, FeatureTesterNode, NotNode, OrdinaryMatchNode
from experta.matchers.rete.token import Token, TokenInfo
from experta.activation import Activation

VALID = Token.TagType.VALID
INVALID = Token.TagType.INVALID
_new_token = tuple.__new__


def _token(tag, data, context) -> Token:
    # Token.__new__ checks its arguments' types one by one; these are ours and always right.
    return _new_token(Token, (tag, data, context))


def _info(data, context) -> TokenInfo:
    return _new_token(TokenInfo, (frozenset(data), frozenset(context.items())))


def _same_context(left: dict, right: dict) -> bool:
    """experta's SameContextCheck for contexts without negated bindings: shared names agree."""
    for key, value in left.items():
        if key in right and value != right[key]:
            return False
    return True


# --- the beta network -------------------------------------------------------------------------------


class FastJoinNode(OrdinaryMatchNode):
    """experta's OrdinaryMatchNode with its memories as (facts, context) pairs, tested in place.

    experta keeps TokenInfo (frozen sets) in its memories and thaws every entry into a dict again
    for every test; the results, and the order they are produced in, are the same here.
    """

    def _reset(self):
        self.left_memory = []
        self.right_memory = []

    def _empty(self):
        # What a reset of the matcher calls (FastReteMatcher.reset), here and in the other fast
        # nodes: the memories emptied in place, where new ones at every reset were young objects
        # the garbage collector walked after every run.
        self.left_memory.clear()
        self.right_memory.clear()

    def _activate_left(self, token):
        tag, data, context = token
        memory = self.left_memory
        if tag is VALID:
            if not memory and not self.right_memory:
                self._touched_nodes[id(self)] = self
            memory.append((data, context))
        else:
            _forget(memory, data, context)
        children = self.children
        for other_data, other_context in self.right_memory:
            if _same_context(context, other_context):
                merged = {k: v for k, v in context.items() if k.__class__ is str}
                merged.update(other_context)
                out = _token(tag, data | other_data, merged)
                for child in children:
                    child.callback(out)

    def _activate_right(self, token):
        tag, data, context = token
        memory = self.right_memory
        if tag is VALID:
            if not memory and not self.left_memory:
                self._touched_nodes[id(self)] = self
            memory.append((data, context))
        else:
            _forget(memory, data, context)
        children = self.children
        for other_data, other_context in self.left_memory:
            if _same_context(other_context, context):
                merged = {k: v for k, v in context.items() if k.__class__ is str}
                merged.update(other_context)
                out = _token(tag, data | other_data, merged)
                for child in children:
                    child.callback(out)


def _forget(memory: list, data, context) -> None:
    for i, (d, c) in enumerate(memory):
        if d == data and c == context:
            del memory[i]
            return


class FastNotNode(NotNode):
    """experta's NotNode: a left token passes while no right token agrees with it."""

    def _reset(self):
        # key -> [count of agreeing right tokens, facts, context]
        self.left_memory = {}
        self.right_memory = []

    _empty = FastJoinNode._empty

    def _activate_left(self, token):
        tag, data, context = token
        key = _info(data, context)
        left, right = self.left_memory, self.right_memory
        if not left and not right:
            self._touched_nodes[id(self)] = self
        if tag is VALID:
            count = 0
            for _, other in right:
                if _same_context(context, other):
                    count += 1
            left[key] = [count, data, context]
        else:
            count = 0
            for _, other in right:
                if _same_context(context, other):
                    count = 1
                    break
            del left[key]
        if count == 0:
            for child in self.children:
                child.callback(token)

    def _activate_right(self, token):
        tag, data, context = token
        left, right = self.left_memory, self.right_memory
        if tag is VALID:
            if not left and not right:
                self._touched_nodes[id(self)] = self
            right.append((data, context))
            inc = 1
        else:
            _forget(right, data, context)
            inc = -1
        for entry in left.values():
            if _same_context(entry[2], context):
                entry[0] += inc
                count = entry[0]
                if count == 0 and inc == -1:
                    out = _token(VALID, entry[1], entry[2])
                elif count == 1 and inc == 1:
                    out = _token(INVALID, entry[1], entry[2])
                else:
                    continue
                for child in self.children:
                    child.callback(out)


class _Activation(Activation):
    """experta's Activation, its hash worked out once, from what its conflict-set node already
    holds, instead of from new frozen sets of its facts and context (and the rule's own hash,
    which builds a tuple of every pattern) each time it is looked up in a set. Equal activations
    (same rule, facts and context) still hash alike; ordering and equality are experta's."""

    def __init__(self, rule, facts, context, hashed: int):
        self.rule = rule
        self.facts = set(facts)
        self.key = None
        self.context = context
        self._hash = hashed

    def __hash__(self):
        return self._hash


class FastConflictSetNode(ConflictSetNode):
    """experta's ConflictSetNode, marking itself as changed so that only it is asked."""

    def _reset(self):
        self.memory = set()
        if not hasattr(self, "_rule_hash"):
            self._rule_hash = hash(self.rule)  # the rule does not change once the network is built

    def _empty(self):
        self.memory.clear()

    def _activate(self, token):
        tag, data, context = token
        info = _info(data, context)
        kept = {k: v for k, v in context.items() if k.__class__ is str}
        kept_items = info.context if len(kept) == len(context) else frozenset(kept.items())
        activation = _Activation(self.rule, info.data, kept, hash((self._rule_hash, info.data, kept_items)))
        memory = self.memory
        if not memory:
            self._touched_nodes[id(self)] = self
        self._pending_nodes[id(self)] = self
        if tag is VALID:
            if info not in memory:
                memory.add(info)
                if self.removed and activation in self.removed:
                    self.removed.remove(activation)
                else:
                    self.added.add(activation)
        else:
            if info in memory:
                memory.remove(info)
                if self.added and activation in self.added:
                    self.added.remove(activation)
                else:
                    self.removed.add(activation)


_FAST_CLASSES = {OrdinaryMatchNode: FastJoinNode, NotNode: FastNotNode, ConflictSetNode: FastConflictSetNode}
_FAST_CALLBACKS = {"activate": "_activate", "activate_left": "_activate_left", "activate_right": "_activate_right"}


# --- the alpha network ------------------------------------------------------------------------------


class _Unsupported(Exception):
    """The network holds something only experta's own walk handles."""


def _value_test(how):
    """A field constraint as a function of the field's value, giving what experta's check gives."""
    cls = type(how)
    bind = how.__bind__ if cls in (L, P, W) else None
    if cls is L:
        value = how.value
        if bind is None:
            return lambda actual: value == actual
        return lambda actual: {bind: actual} if value == actual else False
    if cls is P:
        match = how.match
        if bind is None:
            return lambda actual: bool(match(actual))
        return lambda actual: {bind: actual} if match(actual) else False
    if cls is W:
        if bind is None:
            return lambda actual: True
        return lambda actual: {bind: actual}
    if cls is ANDFC:
        parts = [_value_test(part) for part in how]

        def all_of(actual):
            value = {}
            for part in parts:
                result = part(actual)
                if result is False:
                    return False
                if result is True:
                    continue
                if isinstance(result, Mapping):
                    value.update(result)
                else:
                    raise TypeError("Bad check value.")
            return value or True

        return all_of
    # ORFC may bind different names on different values, NOTFC binds negated names.
    raise _Unsupported(f"field constraint {cls.__name__}")


def _field_key(what):
    """The key experta's FeatureCheck reads from a fact, or _Unsupported for nested access."""
    if not isinstance(what, str):
        return what
    if "__" in what:
        raise _Unsupported(f"nested field {what!r}")
    return int(what) if what.isnumeric() else what


def _check_function(check):
    if isinstance(check, FactCapture):
        bind = check.bind
        return lambda fact: {bind: fact}
    if isinstance(check, TypeCheck):
        fact_type = check.fact_type
        return lambda fact: type(fact) == fact_type
    if isinstance(check, FeatureCheck):
        key = _field_key(check.what)
        test = _value_test(check.how)

        def feature(fact):
            try:
                actual = fact[key]
            except (IndexError, KeyError, TypeError):
                return False
            return test(actual)

        return feature
    raise _Unsupported(f"check {type(check).__name__}")


class AnyOf:
    """A predicate for experta's P: the value is one of a set of values.

    The compiler writes a list of accepted values, and a `one_of`, with it; the compiled walk
    looks the fact's value up instead of testing each such predicate in turn. Called, it is the
    plain test (`value in accepted`), so experta's own walk gives the same result.
    """

    __slots__ = ("accepted",)

    def __init__(self, accepted):
        self.accepted = frozenset(accepted)

    def __call__(self, value) -> bool:
        return value in self.accepted

    def __repr__(self):
        return f"AnyOf({sorted(map(repr, self.accepted))})"


def _lookup(check):
    """(field key, accepted values, name bound or None) of a test the walk can look up by value:
    a literal, an AnyOf predicate, or a variable limited to an AnyOf (a `one_of`); else None."""
    if not isinstance(check, FeatureCheck):
        return None
    how = check.how
    if type(how) is L:
        values, bind = (how.value,), how.__bind__
    elif type(how) is P and isinstance(how.match, AnyOf):
        values, bind = how.match.accepted, how.__bind__
    elif type(how) is ANDFC and len(how) == 2:
        wildcards = [p for p in how if type(p) is W]
        sets = [p for p in how if type(p) is P and isinstance(p.match, AnyOf) and p.__bind__ is None]
        if len(wildcards) != 1 or len(sets) != 1 or wildcards[0].__bind__ is None:
            return None
        values, bind = sets[0].match.accepted, wildcards[0].__bind__
    else:
        return None
    try:
        key = _field_key(check.what)
        for value in values:
            hash(value)
    except (_Unsupported, TypeError):
        return None
    return key, values, bind


class _AlphaCompiler:
    """Turns experta's alpha tree (FeatureTesterNodes under the bus) into nested functions.

    Each node becomes `after(fact, tag, data, context)`, run once its own test has passed: it
    hands a token to its beta children and tests its alpha children, those comparing one field
    with a literal looked up by the fact's value of that field, the others tested in turn.
    """

    def __init__(self, fast_callback):
        self.fast_callback = fast_callback
        self.afters = {}
        self.leaves = {}  # id of a node with beta children only -> those children's callbacks

    def compile_node(self, node):
        if id(node) in self.afters:
            return self.afters[id(node)]
        outputs, tested, by_value = [], [], {}
        for child in node.children:
            if isinstance(child.node, FeatureTesterNode):
                after = self.compile_node(child.node)
                lookup = _lookup(child.node.matcher)
                if lookup is None and isinstance(child.node.matcher, FactCapture) and id(child.node) in self.leaves:
                    # The last test of a pattern binds the fact and hands the token on: one step.
                    tested.append(_captured_leaf(child.node.matcher.bind, self.leaves[id(child.node)]))
                elif lookup is None:
                    tested.append(self._tested(child.node.matcher, after))
                else:
                    key, values, bind = lookup
                    table = by_value.setdefault(key, {})
                    for value in values:
                        table.setdefault(value, []).append((after, bind))
            else:
                outputs.append(self.fast_callback(child))
        groups = [(key, {v: tuple(entries) for v, entries in table.items()}) for key, table in by_value.items()]
        outputs, tested = tuple(outputs), tuple(tested)
        if outputs and not groups and not tested:
            self.leaves[id(node)] = outputs

        def after(fact, tag, data, context):
            if outputs:
                token = _token(tag, data, context)
                for output in outputs:
                    output(token)
            for key, table in groups:
                try:
                    actual = fact[key]
                except (IndexError, KeyError, TypeError):
                    continue
                try:
                    entries = table.get(actual, ())
                except TypeError:  # an unhashable value: compared with each value, as experta does
                    entries = [e for value, group in table.items() if value == actual for e in group]
                for then, bind in entries:
                    if bind is None:
                        then(fact, tag, data, context)
                    elif bind not in context:
                        then(fact, tag, data, {**context, bind: actual})
                    elif context[bind] == actual:
                        then(fact, tag, data, context)
            for test in tested:
                test(fact, tag, data, context)

        self.afters[id(node)] = after
        return after

    @staticmethod
    def _tested(check, after):
        """`after` behind the node's own test, in the simplest form that gives experta's result."""
        if isinstance(check, FactCapture):
            return _captured(check.bind, after)
        how = getattr(check, "how", None)
        if isinstance(check, FeatureCheck) and type(how) in (L, P, W):
            key, bind = _field_key(check.what), how.__bind__
            if type(how) is L:
                value = how.value
                test = lambda actual: value == actual  # noqa: E731
            elif type(how) is P:
                test = how.match
            else:
                test = None
            return _field_tested(key, test, bind, after)
        check = _check_function(check)

        def tested(fact, tag, data, context):
            match = check(fact)
            if not match:
                return
            if match is not True:
                if not isinstance(match, Mapping):
                    raise TypeError("Bad check value.")
                # No negated names: NOTFC is refused when compiling.
                for key, value in match.items():
                    if context.get(key, value) != value:
                        return
                context = {**context, **match}
            after(fact, tag, data, context)

        return tested


def _captured(bind, after):
    """experta's FactCapture: the fact bound to a name (AS.name << pattern)."""

    def captured(fact, tag, data, context):
        if bind in context:
            if context[bind] != fact:
                return
            after(fact, tag, data, context)
        else:
            after(fact, tag, data, {**context, bind: fact})

    return captured


def _captured_leaf(bind, outputs):
    """A FactCapture node whose children are all beta nodes: bind, then hand the token on."""

    def captured(fact, tag, data, context):
        if bind in context:
            if context[bind] != fact:
                return
        else:
            context = {**context, bind: fact}
        token = _token(tag, data, context)
        for output in outputs:
            output(token)

    return captured


def _field_tested(key, test, bind, after):
    """A FeatureCheck of a literal (L), a predicate (P) or a wildcard (W), binding or not."""
    if bind is None:
        def tested(fact, tag, data, context):
            try:
                actual = fact[key]
            except (IndexError, KeyError, TypeError):
                return
            if test is None or test(actual):
                after(fact, tag, data, context)
    else:
        def tested(fact, tag, data, context):
            try:
                actual = fact[key]
            except (IndexError, KeyError, TypeError):
                return
            if test is not None and not test(actual):
                return
            if bind in context:
                if context[bind] != actual:
                    return
                after(fact, tag, data, context)
            else:
                after(fact, tag, data, {**context, bind: actual})

    return tested


# --- the matcher ------------------------------------------------------------------------------------


class FastReteMatcher(ReteMatcher):
    """experta's Rete network, with the walk described in the module's docstring."""

    def build_network(self):
        super().build_network()
        self._pending_nodes: dict[int, ConflictSetNode] = {}
        self._touched_nodes: dict[int, object] = {}  # nodes holding tokens since the last reset
        nodes = _all_nodes(self.root_node)
        self._conflict_set_nodes = tuple(n for n in nodes if isinstance(n, ConflictSetNode))
        try:
            self._compile(nodes)
            self.fast = True
        except _Unsupported:
            self.fast = False
            self._mark_pending_only()

    # The network as experta built it, made fast -------------------------------------------------

    def _compile(self, nodes) -> None:
        for node in nodes:
            if isinstance(node, (BusNode, FeatureTesterNode)):
                continue
            if type(node) not in _FAST_CLASSES:
                raise _Unsupported(f"node {type(node).__name__}")
            if isinstance(node, (OrdinaryMatchNode, NotNode)) and not isinstance(node.matcher, SameContextCheck):
                raise _Unsupported("join test")
        for node in nodes:
            if isinstance(node, FeatureTesterNode):
                _check_function(node.matcher)  # raises _Unsupported before anything is changed
        pending, touched = self._pending_nodes, self._touched_nodes
        for node in nodes:
            fast = _FAST_CLASSES.get(type(node))
            if fast is not None:
                node.__class__ = fast
                node._touched_nodes = touched
                if fast is FastConflictSetNode:
                    node._pending_nodes = pending
                node._reset()
        for node in nodes:
            node.children[:] = [type(c)(c.node, _fast_callback(c)) for c in node.children]
        compiler = _AlphaCompiler(lambda child: child.callback)
        self._by_type = {}
        for child in self.root_node.children:
            check = getattr(child.node, "matcher", None)
            if not isinstance(child.node, FeatureTesterNode) or not isinstance(check, TypeCheck):
                raise _Unsupported("an alpha test before the fact's class")
            self._by_type.setdefault(check.fact_type, []).append(compiler.compile_node(child.node))

    def _mark_pending_only(self) -> None:
        """experta's own walk, asking only the rules a token reached (see DirtyTrackingMatcher)."""
        pending = self._pending_nodes
        for node in self._conflict_set_nodes:
            activate = node._activate

            def marked(token, node=node, activate=activate):
                pending[id(node)] = node
                activate(token)

            node._activate = marked

    # The matcher interface ------------------------------------------------------------------------

    def _walk(self, fact, tag) -> None:
        afters = self._by_type.get(type(fact))
        if afters:
            data = frozenset((fact,))
            for after in afters:
                after(fact, tag, data, {})

    def changes(self, adding=None, deleting=None):
        if self.fast:
            for fact in deleting or ():
                self._walk(fact, INVALID)
            for fact in adding or ():
                self._walk(fact, VALID)
        else:
            for fact in deleting or ():
                self.root_node.remove(fact)
            for fact in adding or ():
                self.root_node.add(fact)
        added, removed = [], []
        pending = list(self._pending_nodes.values())
        self._pending_nodes.clear()
        for node in pending:
            # ConflictSetNode.get_activations, written out: a node usually has only additions.
            if node.added:
                added.extend(node.added)
                node.added.clear()
            if node.removed:
                removed.extend(node.removed)
                node.removed.clear()
        return added, removed

    def reset(self):
        # Activations not yet collected (a run stopped by an error) are dropped with the rest.
        for node in self._pending_nodes.values():
            node.added.clear()
            node.removed.clear()
        self._pending_nodes.clear()
        if self.fast:
            for node in self._touched_nodes.values():
                node._empty()
            self._touched_nodes.clear()
        else:
            super().reset()


def _fast_callback(child):
    """The callback a parent calls: the fast nodes take their tokens without experta's copy."""
    callback = child.callback
    name = getattr(callback, "__name__", None)
    if type(child.node) in _FAST_CLASSES.values() and name in _FAST_CALLBACKS:
        return getattr(child.node, _FAST_CALLBACKS[name])
    return callback


def _all_nodes(root) -> list:
    seen: dict[int, object] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(child.node for child in node.children)
    return list(seen.values())
