"""Every formula: its signature and how it compiles (SPEC section 5.2, engine semantics).

Each `_compile_<name>(cc, args, whole, path)` receives the formula's argument (`args`), the
whole formula object (for sibling keys such as `$eval`'s operator) and the argument's path, and
returns a `Const` or an evaluation closure `fn(variables, ctx)`. The `FORMULAS` table at the
bottom declares every formula's signature; `Compiler.check_args` enforces it before the compile
function runs, so a compile function can rely on the shape of its argument.

Semantics follow the platform's engine (`@membranehq/sdk`, `buildValue`) unless noted:
`$template` and `$jmespath` are this project's additions, `$iterate {locator, items}` with
`$current` is the legacy form, host formulas call `Resolvers`, `$copy` is resolved over the
finished output (the engine's `buildData`).

Engine behaviours kept on purpose (they surprise, but connectors written for the platform rely
on the platform): `$var` reads a JS-falsy array element as undefined; `$iterate` drops falsy
items (0, '', false, null), not only undefined ones; a `$case` default of null is undefined; a
falsy literal `filter` means "no filter"; condition-list `contains` is case-sensitive while
`$eval contains` is not; an undefined `$concat` delimiter joins with "undefined"; `$eval` with
no known operator is true; `$record` without a host gives the literal record's `id`.

Deliberate differences (each is a test case marked `engine: false`): a malformed mapping
(invalid locator, wrong argument type, `$iterate` without source/item, JSONata syntax error)
is a FormulaError at compile time where the engine would yield null/undefined at run time;
`$lookup`/`$find*RecordId`/`$dataSchemaRef` without a resolver are errors instead of markers;
`$map` accepts `mappings`; `$formula` does not mutate its argument (the engine's does, so its
second evaluation repeats the first); `$tpl` keys match literally (the engine builds a RegExp
from them); `$extractDate` does not guess dates from bare numbers (V8: "1" is 2001-01-01).
"""

from __future__ import annotations

import copy as _copy
import functools
import re
from collections.abc import Callable
from typing import Any

from runtime._formulas._compiler import (
    Compiler,
    Const,
    Ctx,
    EvalFn,
    FormulaSpec,
    Node,
    Path,
    format_path,
    plain_constant,
    to_fn,
)
from runtime._formulas._dates import parse_js_date
from runtime._formulas._js import (
    deep_equal,
    loose_equal,
    parse_float,
    strict_equal,
    strict_includes,
    to_string,
    truthy,
)
from runtime._formulas._locator import (
    CURRENT,
    INDEX,
    PROP,
    LocatorSyntaxError,
    Step,
    filter_values,
    make_getter,
    parse_locator,
)
from runtime._formulas._names import parse_name
from runtime._formulas._undefined import UNDEFINED

__all__ = ["EVAL_OPERATORS", "FILTER_OPERATORS", "FORMULAS", "FORMULA_NAMES", "make_copy_post"]

U = UNDEFINED


# --- shared helpers ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _parse_cached(locator: str) -> tuple[Step, ...]:
    return parse_locator(locator)


def compile_locator(cc: Compiler, locator: Any, path: Path) -> tuple[Step, ...]:
    """Parse a locator, resolving `$current` steps of enclosing legacy `$iterate`s."""
    try:
        steps = _parse_cached(locator) if isinstance(locator, str) else parse_locator(locator)
    except LocatorSyntaxError as exc:
        raise cc.error(path, str(exc)) from None
    if cc.legacy_iterates and any(s.kind == PROP and s.key == "$current" for s in steps):
        resolved = list(steps)
        for i, step in enumerate(steps):
            if step.kind == PROP and step.key == "$current":
                prefix = steps[:i]
                for level in range(len(cc.legacy_iterates) - 1, -1, -1):
                    if cc.legacy_iterates[level] == prefix:
                        resolved[i] = Step(CURRENT, level)
                        break
        steps = tuple(resolved)
    return steps


def _is_empty(value: Any) -> bool:
    if isinstance(value, (list, dict)):
        return len(value) == 0
    return value is U or value is None or value == "" and type(value) is str


def _contains(value: Any, operand: Any) -> bool:
    if not truthy(value):
        return False
    if isinstance(value, list):
        return strict_includes(value, operand)
    needle = "undefined" if operand is None or operand is U else to_string(operand).lower()
    return needle in to_string(value).lower()


def _does_not_contain(value: Any, operand: Any) -> bool:
    if not truthy(value):
        return True
    if isinstance(value, list):
        return not strict_includes(value, operand)
    needle = "undefined" if operand is None or operand is U else to_string(operand).lower()
    return needle not in to_string(value).lower()


def _numeric(op: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def compare(value: Any, operand: Any) -> bool:
        a, b = parse_float(value), parse_float(operand)
        if a != a or b != b:
            return False
        return op(a, b)

    return compare


_LT = _numeric(lambda a, b: a < b)
_LTE = _numeric(lambda a, b: a <= b)
_GT = _numeric(lambda a, b: a > b)
_GTE = _numeric(lambda a, b: a >= b)

#: `$eval` operators (the engine's OPERATOR_SPECS), `(value, operand) -> bool`
EVAL_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "is": loose_equal,
    "isNot": lambda v, o: not loose_equal(v, o),
    "oneOf": lambda v, o: strict_includes(o, v),
    "noneOf": lambda v, o: not strict_includes(o, v),
    "contains": _contains,
    "doesNotContain": _does_not_contain,
    "lt": _LT,
    "lte": _LTE,
    "gt": _GT,
    "gte": _GTE,
    "isNotEmpty": lambda v, o: not _is_empty(v),
    "isEmpty": lambda v, o: _is_empty(v),
}


def _filter_contains(value: Any, operand: Any) -> bool:
    return to_string(operand) in to_string(value) if truthy(value) else False


def _filter_does_not_contain(value: Any, operand: Any) -> bool:
    return to_string(operand) not in to_string(value) if truthy(value) else False


def _index_of(items: Any, value: Any) -> bool:
    return isinstance(items, list) and any(strict_equal(x, value) for x in items)


#: operators of condition-list filters in `$case` (the engine's data-filter OPERATORS)
FILTER_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "is": loose_equal,
    "is_not": lambda v, o: not loose_equal(v, o),
    "is_one_of": lambda v, o: strict_includes(o, v),
    "is_not_one_of": lambda v, o: not strict_includes(o, v),
    "is_true": lambda v, o: truthy(v),
    "is_false": lambda v, o: v is False,
    "contains": _filter_contains,
    "does_not_contain": _filter_does_not_contain,
    "array_includes": _index_of,
    "array_does_not_include": lambda v, o: not _index_of(v, o),
    "less_than": _LT,
    "less_than_or_equal": _LTE,
    "more_than": _GT,
    "more_than_or_equal": _GTE,
    "is_not_empty": lambda v, o: not _is_empty(v),
    "is_empty": lambda v, o: _is_empty(v),
}


def _runtime_error(cc: Compiler, path: Path, problem: str) -> Callable[..., Exception]:
    """A factory for an evaluation-time FormulaError at this path (`problem` may have `{}` slots)."""
    where = cc.where(path)
    data = {"file": cc.source, "path": format_path(path)}

    def make(*details: Any) -> Exception:
        from runtime._errors import FormulaError

        return FormulaError(f"{where}: {problem.format(*details)}", data=data)

    return make


# --- $var, $copy, $plain, $formula -----------------------------------------------------------


def _compile_var(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    steps = compile_locator(cc, args, path)
    getter = make_getter(steps, engine_quirks=True)
    if all(s.kind == PROP for s in steps):
        # object builders inline plain key paths (see generate_object_builder)
        getter.plain_path = tuple(s.key for s in steps)  # type: ignore[attr-defined]
    return getter


def _compile_copy(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    cc.uses_copy = True
    if isinstance(args, str):
        compile_locator(cc, args, path)
    target = cc.fn(args, path)
    return lambda v, c: {"$copy": target(v, c)}


def _compile_plain(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    return Const(plain_constant(args))


# engine's getValueAtLocator / setValueAtLocator over step lists (used by $formula and $copy)
_P, _I = "p", "i"


def _get_at(data: Any, steps: list[tuple[str, Any]]) -> Any:
    if data is None or data is U:
        return U
    current = data
    for kind, key in steps:
        if kind == _P:
            if isinstance(current, dict) and current.get(key, U) is not U:
                current = current[key]
            elif isinstance(current, list) and key == "length":
                current = len(current)
            else:
                return U
        else:
            if isinstance(current, list) and isinstance(key, int) and 0 <= key < len(current):
                current = current[key]
            else:
                return U
    return current


def _set_at(data: Any, steps: list[tuple[str, Any]], value: Any) -> None:
    """Set (or, for UNDEFINED, delete/splice) the value at steps inside `data` (never the root)."""
    cursor = data
    for n, (kind, key) in enumerate(steps):
        last = n == len(steps) - 1
        if kind == _I:
            if not isinstance(cursor, list):
                return
            if last:
                if value is U:
                    if 0 <= key < len(cursor):
                        del cursor[key]
                elif key < len(cursor):
                    cursor[key] = value
                else:
                    cursor.extend([None] * (key - len(cursor)))
                    cursor.append(value)
                return
            if key >= len(cursor) or not isinstance(cursor[key], (list, dict)):
                return
            cursor = cursor[key]
        else:
            if not isinstance(cursor, dict):
                return
            if last:
                if value is U:
                    cursor.pop(key, None)
                else:
                    cursor[key] = value
                return
            if not isinstance(cursor.get(key), (list, dict)):
                return
            cursor = cursor[key]


def _var_locators(cc: Compiler, data: Any, prefix: list[tuple[str, Any]]) -> list[list[tuple[str, Any]]]:
    """The engine's getVariableLocators: where `$var`s sit, as `$formula` resolves them."""
    if not isinstance(data, (dict, list)):
        return []
    if isinstance(data, dict) and cc.is_formula(data):
        name = next(iter(data))
        if name == "$var":
            return [prefix]
        args = data[name]
        if name == "$iterate":
            source = args.get("source") if isinstance(args, dict) else None
            return _var_locators(cc, source, prefix + [(_P, "$iterate"), (_P, "source")])
        return _var_locators(cc, args, prefix + [(_P, name)])
    out: list[list[tuple[str, Any]]] = []
    if isinstance(data, list):
        for i, item in enumerate(data):
            out.extend(_var_locators(cc, item, prefix + [(_I, i)]))
    else:
        for key, item in data.items():
            out.extend(_var_locators(cc, item, prefix + [(_P, key)]))
    return out


def _compile_formula(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    """`$formula`: the argument returned as data, with only its `$var`s replaced by values.

    Follows the engine: `$var`s are found where `getVariableLocators` looks (not in `$eval`
    operands, only in `$iterate.source`), an undefined value deletes its key (or splices its
    list item), and a `$var` that is the whole argument is left as it is. Unlike the engine,
    the argument is not mutated, so every evaluation starts from the mapping as written.
    """
    template = plain_constant(args)
    locators = [steps for steps in _var_locators(cc, template, []) if steps]
    if not locators:
        return Const(template)
    fresh = Compiler(cc.source, cc.formulas)
    nodes = {id(steps): fresh.fn(_get_at(template, steps), path + tuple(k for _, k in steps)) for steps in locators}
    originals = {id(steps): _get_at(template, steps) for steps in locators}

    def build(v: Any, c: Ctx) -> Any:
        result = _copy.deepcopy(template)
        for steps in locators:
            found = _get_at(result, steps)
            if found is U:
                value = U
            elif deep_equal(found, originals[id(steps)]):
                value = nodes[id(steps)](v, c)
            else:  # the engine's splice shifted a later $var into this place
                value = fresh.fn(found, path)(v, c)
            _set_at(result, steps, value)
        return result

    return build


# --- strings -------------------------------------------------------------------------------


def _compile_concat(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    if isinstance(args, list):
        values_arg, values_path, raw = args, path, None
    else:
        values_arg, values_path, raw = args["values"], path + ("values",), args.get("delimiter")
    delimiter_node = Const("") if raw is None else cc.node(raw, path + ("delimiter",))
    if isinstance(values_arg, list) and values_arg and isinstance(delimiter_node, Const):
        return _concat_literal(cc, values_arg, values_path, to_string(delimiter_node.value))
    values = cc.fn(values_arg, values_path)
    delimiter = to_fn(delimiter_node)

    def concat(v: Any, c: Ctx) -> Any:
        items = values(v, c)
        if type(items) is not list or not items:
            return U
        sep = to_string(delimiter(v, c))
        parts = []
        for x in items:
            if x is None or x is U:
                continue
            s = x if type(x) is str else to_string(x)
            if s:
                parts.append(s)
        return sep.join(parts)

    return concat


def _concat_literal(cc: Compiler, items: list[Any], path: Path, sep: str) -> Node:
    """`$concat` of a literal list with a constant delimiter: items are joined as they come.

    Same result as building the list first: undefined items are dropped (all of them undefined
    makes the result undefined), null and '' are skipped in the join.
    """
    nodes = [cc.node(item, path + (i,)) for i, item in enumerate(items)]
    plan = tuple(to_fn(n) for n in nodes)

    def concat_items(v: Any, c: Ctx) -> Any:
        parts = []
        present = False
        for f in plan:
            x = f(v, c)
            if x is U:
                continue
            present = True
            if x is None:
                continue
            s = x if type(x) is str else to_string(x)
            if s:
                parts.append(s)
        return sep.join(parts) if present else U

    concat_items.concat_parts = (sep, nodes)  # type: ignore[attr-defined]  # for generated builders
    return concat_items


def _js_replacement(replacement: str) -> Callable[[re.Match[str]], str]:
    """A re.sub callback applying JavaScript's `$$`, `$&`, `` $` ``, `$'` replacement patterns."""
    if "$" not in replacement:
        return lambda m: replacement

    def expand(m: re.Match[str]) -> str:
        out = []
        i = 0
        s = replacement
        while i < len(s):
            ch = s[i]
            if ch == "$" and i + 1 < len(s):
                nxt = s[i + 1]
                if nxt == "$":
                    out.append("$")
                    i += 2
                    continue
                if nxt == "&":
                    out.append(m.group(0))
                    i += 2
                    continue
                if nxt == "`":
                    out.append(m.string[: m.start()])
                    i += 2
                    continue
                if nxt == "'":
                    out.append(m.string[m.end() :])
                    i += 2
                    continue
            out.append(ch)
            i += 1
        return "".join(out)

    return expand


def _compile_tpl(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    """`$tpl`: `{key}` placeholders of `template` replaced by `values.key`, key by key in order."""
    template = args.get("template", U)
    values = args.get("values")
    if not isinstance(template, str) or not isinstance(values, dict) or not values:
        return Const(plain_constant(template)) if template is not U else (lambda v, c: U)
    plan = [
        (re.compile(r"\{" + re.escape(str(key)) + r"\}"), cc.fn(value, path + ("values", str(key))))
        for key, value in values.items()
    ]

    def tpl(v: Any, c: Ctx) -> Any:
        result = template
        for pattern, f in plan:
            value = f(v, c)
            text = "" if value is None or value is U else to_string(value)
            result = pattern.sub(_js_replacement(text), result)
        return result

    return tpl


_TEMPLATE_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


def _compile_template(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    """`$template: 'Bearer ${credentials.apiKey}'`: `${locator}` filled from the variables.

    Not in the engine (seen in makeApiClient examples). A missing value or null fills in ''.
    """
    pieces: list[str | EvalFn] = []
    last = 0
    for m in _TEMPLATE_PLACEHOLDER.finditer(args):
        pieces.append(args[last : m.start()])
        pieces.append(make_getter(compile_locator(cc, m.group(1).strip(), path), engine_quirks=False))
        last = m.end()
    pieces.append(args[last:])
    if len(pieces) == 1:
        return Const(args)
    plan = tuple(pieces)

    def template(v: Any, c: Ctx) -> Any:
        out = []
        for piece in plan:
            if type(piece) is str:
                out.append(piece)
            else:
                x = piece(v, c)  # type: ignore[operator]
                out.append("" if x is None or x is U else to_string(x))
        return "".join(out)

    return template


def _name_parts(value: Any) -> dict[str, str]:
    return parse_name("" if value is None or value is U else to_string(value))


def _compile_first_name(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    f = cc.fn(args, path)

    def first_name(v: Any, c: Ctx) -> Any:
        parts = _name_parts(f(v, c))
        return parts.get("firstName", U) if parts.get("lastName") else U

    return first_name


def _compile_last_name(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    f = cc.fn(args, path)

    def last_name(v: Any, c: Ctx) -> Any:
        parts = _name_parts(f(v, c))
        return parts.get("lastName") or parts.get("firstName") or U

    return last_name


def _compile_domain_from_email(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    f = cc.fn(args, path)

    def domain(v: Any, c: Ctx) -> Any:
        value = f(v, c)
        if type(value) is not str:
            return U
        parts = value.split("@")
        return parts[1] if len(parts) == 2 else U

    return domain


def _iso(value: Any) -> str | None:
    parsed = parse_js_date(value)
    return None if parsed is None else parsed.strftime("%Y-%m-%dT%H:%M:%S")


def _compile_extract_date(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    f = cc.fn(args, path)

    def extract_date(v: Any, c: Ctx) -> Any:
        iso = _iso(f(v, c))
        return U if iso is None else iso[:10]

    return extract_date


def _compile_extract_time(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    f = cc.fn(args, path)

    def extract_time(v: Any, c: Ctx) -> Any:
        iso = _iso(f(v, c))
        return U if iso is None else iso[11:19]

    return extract_time


# --- logic -----------------------------------------------------------------------------------


def _compile_eval(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    value_node = cc.node(args, path)
    value = to_fn(value_node)
    keys = list(whole)
    operator = keys[1] if len(keys) > 1 else None
    handler = EVAL_OPERATORS.get(operator) if isinstance(operator, str) else None
    if handler is None:  # the engine: no (known) operator -> true
        return lambda v, c: True
    operand_node = cc.node(whole[operator], path[:-1] + (operator,))  # type: ignore[index]
    if isinstance(operand_node, Const) and type(operand_node.value) is str and operator in ("is", "isNot"):
        constant = operand_node.value
        negate = operator == "isNot"

        def is_constant_string(v: Any, c: Ctx) -> Any:
            x = value(v, c)
            equal = x == constant if type(x) is str else loose_equal(x, constant)
            return equal is not negate

        is_constant_string.eval_is = (value_node, constant, negate)  # type: ignore[attr-defined]
        return is_constant_string
    operand = to_fn(operand_node)

    def evaluate(v: Any, c: Ctx) -> Any:
        return handler(value(v, c), operand(v, c))

    return evaluate


def _compile_and(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    f = cc.fn(args, path)

    def all_of(v: Any, c: Ctx) -> Any:
        items = f(v, c)
        if type(items) is not list:
            return U
        present = [x for x in items if x is not None and x is not U]
        return all(truthy(x) for x in present) if present else U

    return all_of


def _compile_or(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    f = cc.fn(args, path)

    def any_of(v: Any, c: Ctx) -> Any:
        items = f(v, c)
        if type(items) is not list or all(x is None or x is U for x in items):
            return U
        return any(truthy(x) for x in items)

    return any_of


def _compile_conditions(cc: Compiler, conditions: list[Any], path: Path) -> EvalFn:
    plan = []
    for i, condition in enumerate(conditions):
        where = path + (i,)
        if not isinstance(condition, dict):
            raise cc.error(where, "a filter condition is a mapping {field, operator, value}")
        handler = FILTER_OPERATORS.get(condition.get("operator"))  # type: ignore[arg-type]
        if handler is None:
            continue  # the engine skips conditions with an unknown operator (lint warns)
        if "field" not in condition:
            raise cc.error(where, "a filter condition needs 'field'")
        steps = compile_locator(cc, condition["field"], where + ("field",))
        plan.append((steps, handler, plain_constant(condition.get("value", U))))
    plan_t = tuple(plan)
    no_values = [U]

    def matches(v: Any, c: Ctx) -> bool:
        for steps, handler, operand in plan_t:
            values = filter_values(v, steps) or no_values
            if not any(handler(x, operand) for x in values):
                return False
        return True

    return matches


def _compile_case(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    if isinstance(args, list):
        cases, cases_path, default = args, path, U
    else:
        cases, cases_path, default = args["cases"], path + ("cases",), args.get("default", U)
    nodes: list[tuple[Any, Node]] = []
    for i, case in enumerate(cases):
        where = cases_path + (i,)
        if not isinstance(case, dict):
            raise cc.error(where, "a case is a mapping {filter, value}")
        raw_filter = case.get("filter")
        test: EvalFn | None
        if not truthy(raw_filter if not isinstance(raw_filter, (dict, list)) else True):
            test = None  # no filter (or a falsy one): the case always matches
        elif isinstance(raw_filter, list):
            test = _compile_conditions(cc, raw_filter, where + ("filter",))
        else:
            built = cc.fn(raw_filter, where + ("filter",))
            always_boolean = isinstance(raw_filter, dict) and next(iter(raw_filter), None) == "$eval"
            test = built if always_boolean else _filter_formula(built)
        value_node = cc.node(case["value"], where + ("value",)) if "value" in case else _UNDEFINED_NODE
        nodes.append((test, value_node))
    default_node = cc.node(default, path + ("default",)) if default is not U else None
    default_fn = to_fn(default_node) if default_node is not None else None
    plan_t = tuple((test, to_fn(value)) for test, value in nodes)

    def case(v: Any, c: Ctx) -> Any:
        for test, value in plan_t:
            if test is None or test(v, c):
                return value(v, c)
        if default_fn is None:
            return U
        result = default_fn(v, c)
        return U if result is None else result

    case.case_plan = (tuple(nodes), default_node)  # type: ignore[attr-defined]  # for generated builders
    return case


def _undefined(v: Any, c: Ctx) -> Any:
    return U


_UNDEFINED_NODE = _undefined


def _filter_formula(built: EvalFn) -> Callable[[Any, Ctx], bool]:
    def test(v: Any, c: Ctx) -> bool:
        result = built(v, c)
        return True if result is None or result is U else truthy(result)

    return test


def _compile_map(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    value = cc.fn(args["value"], path + ("value",)) if "value" in args else (lambda v, c: U)
    key = "mapping" if "mapping" in args or "mappings" not in args else "mappings"
    table = args.get(key)
    plan = []
    if isinstance(table, list):
        for i, item in enumerate(table):
            if not isinstance(item, dict):
                raise cc.error(path + (key, i), "a $map entry is a mapping {from, to}")
            src = cc.fn(item["from"], path + (key, i, "from")) if "from" in item else (lambda v, c: U)
            dst = cc.fn(item["to"], path + (key, i, "to")) if "to" in item else (lambda v, c: U)
            plan.append((src, dst))
    default = cc.fn(args["default"], path + ("default",)) if "default" in args else None
    plan_t = tuple(plan)

    def map_value(v: Any, c: Ctx) -> Any:
        x = value(v, c)
        for src, dst in plan_t:
            candidate = src(v, c)
            if deep_equal(x, candidate) or loose_equal(x, candidate):
                return dst(v, c)
        return U if default is None else default(v, c)

    return map_value


def _compile_first_not_empty(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    f = cc.fn(args, path)

    def first_not_empty(v: Any, c: Ctx) -> Any:
        items = f(v, c)
        if type(items) is not list:
            return U
        for x in items:
            if x is not None and x is not U:
                return x
        return U

    return first_not_empty


def _compile_merge_objects(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    f = cc.fn(args, path)

    def merge(v: Any, c: Ctx) -> Any:
        items = f(v, c)
        if type(items) is not list:
            return U
        out: dict[str, Any] = {}
        for x in items:
            if isinstance(x, dict):
                out.update(x)
            elif isinstance(x, list):  # Object.assign copies an array's indexes
                out.update({str(i): item for i, item in enumerate(x)})
        return out if out else U

    return merge


# --- $iterate --------------------------------------------------------------------------------


def _compile_iterate(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    if "source" in args:
        if "item" not in args:
            raise cc.error(path, "$iterate needs 'item' (what to build for every element of 'source')")
        source = cc.fn(args["source"], path + ("source",))
        item = cc.fn(args["item"], path + ("item",))
        item_path = getattr(item, "plain_path", None)
        if item_path and item_path[0] == "item":
            # `item: {$var: item.id}` (the common "list of ids" case): read the element directly
            element_getter = make_getter(tuple(Step(PROP, k) for k in item_path[1:]), engine_quirks=True)

            def iterate_path(v: Any, c: Ctx) -> Any:
                src = source(v, c)
                if type(src) is not list:
                    return U
                out = []
                for element in src:
                    x = element_getter(element, c)
                    if truthy(x):
                        out.append(x)
                return out if out else U

            return iterate_path

        def iterate(v: Any, c: Ctx) -> Any:
            src = source(v, c)
            if type(src) is not list:
                return U
            out = []
            for index, element in enumerate(src):
                x = item({"item": element, "parent": v, "index": index}, c)
                if type(x) is dict or truthy(x):  # objects are truthy; the common case first
                    out.append(x)
            return out if out else U

        return iterate
    if "locator" in args:
        return _compile_legacy_iterate(cc, args, path)
    raise cc.error(path, "$iterate needs 'source' and 'item' (or the legacy 'locator' and 'items')")


def _compile_legacy_iterate(cc: Compiler, args: dict[str, Any], path: Path) -> Node:
    """Legacy `{locator, items}`: `items` sees the same variables; `<locator>.$current` is the element."""
    if not isinstance(args["locator"], str):
        raise cc.error(path + ("locator",), "the legacy $iterate 'locator' is a locator string")
    if "items" not in args:
        raise cc.error(path, "the legacy $iterate needs 'items'")
    steps = compile_locator(cc, args["locator"], path + ("locator",))
    raw_steps = _parse_cached(args["locator"])
    source = make_getter(steps, engine_quirks=True)
    level = len(cc.legacy_iterates)
    cc.legacy_iterates.append(raw_steps)
    try:
        item = cc.fn(args["items"], path + ("items",))
    finally:
        cc.legacy_iterates.pop()

    def legacy_iterate(v: Any, c: Ctx) -> Any:
        src = source(v, c)
        if type(src) is not list:
            return U
        stack = c.current
        while len(stack) <= level:
            stack.append(0)
        out = []
        for index in range(len(src)):
            stack[level] = index
            x = item(v, c)
            if truthy(x):
                out.append(x)
        del stack[level:]
        return out if out else U

    return legacy_iterate


# --- expression languages --------------------------------------------------------------------


def _compile_jsonata(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    from runtime._formulas._jsonata import (
        JsonataSyntaxError,
        compile_jsonata,
        compile_jsonata_cached,
        evaluate_jsonata,
    )

    if isinstance(args, str):
        if not args:
            return lambda v, c: U
        try:
            compiled = compile_jsonata(args)
        except JsonataSyntaxError as exc:
            raise cc.error(path, f"JSONata syntax error: {exc}") from None
        return lambda v, c: evaluate_jsonata(compiled, v)
    expression = cc.fn(args, path)

    def dynamic(v: Any, c: Ctx) -> Any:
        text = expression(v, c)
        if type(text) is not str or not text:
            return U
        try:
            compiled = compile_jsonata_cached(text)
        except JsonataSyntaxError:
            return U  # the engine: any error inside $jsonata yields undefined
        return evaluate_jsonata(compiled, v)

    return dynamic


def _compile_jmespath(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    from runtime._formulas._jmespath import JmespathSyntaxError, compile_jmespath

    try:
        search = compile_jmespath(args)
    except JmespathSyntaxError as exc:
        raise cc.error(path, str(exc)) from None
    failed = _runtime_error(cc, path, "JMESPath evaluation failed: {}")

    def jmespath_value(v: Any, c: Ctx) -> Any:
        try:
            result = search(v)
        except Exception as exc:  # jmespath's runtime errors (types, arity, unknown function)
            raise failed(exc) from exc
        return U if result is None else result

    return jmespath_value


# --- host formulas ---------------------------------------------------------------------------


def _host(attribute: str, name: str) -> Callable[[Compiler, Any, dict[str, Any], Path], Node]:
    def compile_host(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
        f = to_fn(cc.node(args, path))
        missing = _runtime_error(
            cc, path, f"{name} needs the host: no resolver for it was given (Resolvers.{attribute})"
        )

        def resolve(v: Any, c: Ctx) -> Any:
            resolver = getattr(c.resolvers, attribute, None) if c.resolvers is not None else None
            if resolver is None:
                raise missing()
            result = resolver(f(v, c))
            return U if result is U else result

        return resolve

    return compile_host


def _compile_record(cc: Compiler, args: Any, whole: dict[str, Any], path: Path) -> Node:
    """`$record`: the host's record resolver when given; else (the engine) the literal record's id."""
    f = to_fn(cc.node(args, path))
    literal_id = plain_constant(args.get("id", U)) if isinstance(args, dict) else U

    def record(v: Any, c: Ctx) -> Any:
        resolver = c.resolvers.record if c.resolvers is not None else None
        if resolver is not None:
            return resolver(f(v, c))
        return _copy.deepcopy(literal_id)

    return record


# --- $copy over the finished output -----------------------------------------------------------


def _copy_target(target: Any) -> list[tuple[str, Any]] | None:
    if not isinstance(target, str):
        return None
    try:
        steps = _parse_cached(target)
    except LocatorSyntaxError:
        return None
    if any(s.kind not in (PROP, INDEX) for s in steps):
        return None
    return [(_I, s.key) if s.kind == INDEX else (_P, s.key) for s in steps]


def make_copy_post(cc: Compiler) -> Callable[[Any], Any]:
    """The engine's processCopy: replace every `{$copy: locator}` in the output by that value."""

    def find(data: Any, prefix: list[tuple[str, Any]], out: list[list[tuple[str, Any]]]) -> None:
        if isinstance(data, dict):
            if "$copy" in data and len(data) == 1:
                out.append(prefix)
                return
            for key, value in data.items():
                find(value, prefix + [(_P, key)], out)
        elif isinstance(data, list):
            for i, value in enumerate(data):
                find(value, prefix + [(_I, i)], out)

    def post(result: Any) -> Any:
        found: list[list[tuple[str, Any]]] = []
        find(result, [], found)
        for steps in found:
            if not steps:
                continue
            marker = _get_at(result, steps)
            if not (isinstance(marker, dict) and "$copy" in marker):
                continue
            target = marker["$copy"]
            target_steps = _copy_target(target)
            value = _get_at(result, target_steps) if target_steps is not None else U
            nested: list[list[tuple[str, Any]]] = []
            find(value, [], nested)
            if nested:
                raise cc.error(
                    tuple(k for _, k in steps), f"$copy of {target!r}, which itself contains a $copy"
                )
            _set_at(result, steps, _copy.deepcopy(value))
        return result

    return post


# --- the table ---------------------------------------------------------------------------------

_ANY = ("any",)
_LISTY = ("list", "formula")


def _spec(name: str, fn: Any, arg_types: tuple[str, ...] = _ANY, doc: str = "", **keys: Any) -> FormulaSpec:
    return FormulaSpec(name=name, compile=fn, arg_types=arg_types, keys=keys, doc=doc)


FORMULAS: dict[str, FormulaSpec] = {
    spec.name: spec
    for spec in [
        _spec("$var", _compile_var, ("string",), "value at a locator"),
        _spec("$tpl", _compile_tpl, ("mapping",), "{template, values}: named {placeholders}",
              template=(("string", "null"), True), values=(("mapping",), False)),
        _spec("$template", _compile_template, ("string",), "'text ${locator} text'"),
        _spec("$concat", _compile_concat, ("list", "mapping"), "join the non-empty items",
              values=(("list", "formula"), True), delimiter=(("string", "number", "null", "formula"), False)),
        FormulaSpec("$eval", _compile_eval, _ANY, operators=frozenset(EVAL_OPERATORS), doc="value + operator"),
        _spec("$and", _compile_and, _LISTY, "all present items are true"),
        _spec("$or", _compile_or, _LISTY, "any item is true"),
        _spec("$case", _compile_case, ("list", "mapping"), "first case whose filter holds",
              cases=(("list",), True), default=(_ANY, False)),
        _spec("$map", _compile_map, ("mapping",), "value through a from/to table",
              mapping=(("list",), False), mappings=(("list",), False)),
        _spec("$iterate", _compile_iterate, ("mapping",), "a list built per element of source",
              source=(_ANY, False), item=(_ANY, False), locator=(("string",), False), items=(_ANY, False)),
        _spec("$firstName", _compile_first_name, _ANY, "first name of a full name"),
        _spec("$lastName", _compile_last_name, _ANY, "last name of a full name"),
        _spec("$copy", _compile_copy, ("string", "formula"), "value at another path of the output"),
        _spec("$plain", _compile_plain, _ANY, "the argument verbatim"),
        _spec("$formula", _compile_formula, _ANY, "the argument as data, its $vars resolved"),
        _spec("$firstNotEmpty", _compile_first_not_empty, _LISTY, "first item not null/undefined"),
        _spec("$jsonata", _compile_jsonata, ("string", "formula"), "a JSONata expression"),
        _spec("$jmespath", _compile_jmespath, ("string",), "a JMESPath expression"),
        _spec("$mergeObjects", _compile_merge_objects, _LISTY, "shallow merge, later keys win"),
        _spec("$domainFromEmail", _compile_domain_from_email, _ANY, "domain of an email address"),
        _spec("$extractDate", _compile_extract_date, _ANY, "YYYY-MM-DD of a date-time"),
        _spec("$extractTime", _compile_extract_time, _ANY, "HH:MM:SS of a date-time"),
        _spec("$record", _compile_record, _ANY, "related record (host) / literal record id"),
        _spec("$lookup", _host("lookup", "$lookup"), _ANY, "host lookup"),
        _spec("$findExternalRecordId", _host("find_external_record_id", "$findExternalRecordId"), _ANY, "host"),
        _spec("$findAppRecordId", _host("find_app_record_id", "$findAppRecordId"), _ANY, "host"),
        _spec("$dataSchemaRef", _host("data_schema_ref", "$dataSchemaRef"), _ANY, "host schema"),
    ]
}  # fmt: skip

FORMULA_NAMES: frozenset[str] = frozenset(FORMULAS)
