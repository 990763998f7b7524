"""Property tests (hypothesis) from issue 3."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from runtime._errors import FormulaError
from runtime._formulas import FORMULA_NAMES, Resolvers, compile_mapping
from tests.formulas._cases import load_cases

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

keys = st.one_of(st.text(max_size=8), st.sampled_from(["$top", "$filter", "a", "b", "$", "a.b", "[0]"]))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=20,
)


def _has_formula(value: Any) -> bool:
    if isinstance(value, dict):
        if value and next(iter(value)) in FORMULA_NAMES:
            return True
        return any(_has_formula(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_formula(v) for v in value)
    return False


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


@SETTINGS
@given(json_values)
def test_plain_returns_its_argument_unchanged(value: Any) -> None:
    assert same(compile_mapping({"$plain": value}).evaluate({"a": 1}), value)


@SETTINGS
@given(st.lists(scalars | st.dictionaries(keys, scalars, max_size=3), max_size=12))
def test_iterate_with_an_item_that_always_has_a_value_yields_n_items(items: list[Any]) -> None:
    mapping = {"$iterate": {"source": {"$var": "rows"}, "item": {"position": {"$var": "index"}, "row": {"$var": "item"}}}}
    result = compile_mapping(mapping).evaluate({"rows": items})
    if not items:
        assert result is None  # an empty list is undefined
        return
    assert [r["position"] for r in result] == list(range(len(items)))
    assert all(same(r.get("row", None), item) or (item is None and r["row"] is None) for r, item in zip(result, items))


@SETTINGS
@given(json_values, json_values)
def test_a_mapping_without_formulas_evaluates_to_itself(value: Any, variables: Any) -> None:
    assume(not _has_formula(value))
    program = compile_mapping(value)
    assert program.is_constant
    first = program.evaluate(variables)
    assert same(first, value)
    if isinstance(first, (dict, list)):  # results are fresh: mutating one does not touch the program
        first.clear()
        assert same(program.evaluate(variables), value)


# --- arbitrary variables never make evaluation raise anything but FormulaError ----------------------

_CASE_MAPPINGS = [c["mapping"] for c in load_cases() if "error" not in c]
locators = st.sampled_from(["a", "a.b", "$.a[0]", "$", "b[1].c", "item", "l", "s.length", "a.0", "n"])


def _formula(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    listy = st.lists(children, min_size=1, max_size=3)
    ops = st.sampled_from(["is", "isNot", "isEmpty", "contains", "doesNotContain", "oneOf", "gt", "lte"])
    return st.one_of(
        st.builds(lambda loc: {"$var": loc}, locators),
        st.builds(lambda v: {"$concat": v}, listy),
        st.builds(lambda v, d: {"$concat": {"values": v, "delimiter": d}}, listy, children),
        st.builds(lambda v, op, o: {"$eval": v, op: o}, children, ops, children),
        st.builds(lambda v: {"$and": v}, listy),
        st.builds(lambda v: {"$or": v}, listy),
        st.builds(lambda f, v, d: {"$case": {"cases": [{"filter": f, "value": v}], "default": d}}, children, children, children),
        st.builds(
            lambda loc, op, o, v: {"$case": [{"filter": [{"field": loc, "operator": op, "value": o}], "value": v}]},
            locators, st.sampled_from(["is", "contains", "less_than", "is_one_of", "is_empty"]), scalars, children,
        ),
        st.builds(lambda v, f, t: {"$map": {"value": v, "mapping": [{"from": f, "to": t}]}}, children, scalars, children),
        st.builds(lambda loc, i: {"$iterate": {"source": {"$var": loc}, "item": i}}, locators, children),
        st.builds(lambda loc: {"$iterate": {"locator": loc, "items": {"x": {"$var": loc + ".$current"}}}},
                  st.sampled_from(["a", "l", "$.b"])),
        st.builds(lambda v: {"$firstNotEmpty": v}, listy),
        st.builds(lambda v: {"$mergeObjects": v}, listy),
        *[st.builds(lambda v, n=name: {n: v}, children) for name in
          ("$firstName", "$lastName", "$domainFromEmail", "$extractDate", "$extractTime", "$formula", "$plain")],
        st.builds(lambda v: {"$tpl": {"template": "a{x}b{y}", "values": {"x": v, "y": v}}}, children),
        st.builds(lambda loc: {"$template": "<${" + loc + "}>"}, locators),
        st.builds(lambda loc: {"$jsonata": loc.replace("$.", "")}, st.sampled_from(["a", "a.b", "$count(l)", "n + 1"])),
        st.builds(lambda loc: {"$jmespath": loc}, st.sampled_from(["a.b", "l[-1]", "length(l)", "a[?b]"])),
        st.builds(lambda loc: {"x": {"$var": loc}, "y": {"$copy": "x"}}, locators),
    )


mappings = st.one_of(
    st.sampled_from(_CASE_MAPPINGS),
    st.recursive(scalars, lambda inner: st.one_of(_formula(inner), st.dictionaries(keys, inner, max_size=3)),
                 max_leaves=8),
)
variables = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={k: json_values for k in ("a", "b", "l", "n", "s", "item", "rows")}),
)


@SETTINGS
@given(mappings, variables)
def test_evaluation_raises_only_formula_errors(mapping: Any, variables: Any) -> None:
    try:
        program = compile_mapping(mapping, source="prop.yml")
    except FormulaError:
        return
    resolvers = Resolvers(lookup=lambda a: a, record=lambda a: a)
    try:
        program.evaluate(variables, resolvers=resolvers)
    except FormulaError as exc:
        assert str(exc).startswith("prop.yml: ")


objects_of_formulas = st.dictionaries(
    st.sampled_from(["id", "name", "stage", "title", "a", "b", "$top"]),
    st.recursive(scalars, lambda inner: st.one_of(_formula(inner), st.dictionaries(keys, inner, max_size=3)),
                 max_leaves=6),
    min_size=2,
    max_size=6,
)


@SETTINGS
@given(objects_of_formulas, variables)
def test_generated_object_builders_equal_the_closure_loop(mapping: dict[str, Any], variables: Any) -> None:
    """Objects with computed members get generated code; it must give what the plain loop gives."""
    import runtime._formulas._compiler as compiler

    def run(generate_from: int) -> Any:
        saved = compiler.GENERATE_FROM
        compiler.GENERATE_FROM = generate_from
        try:
            program = compile_mapping(mapping)
            return ("ok", program.evaluate(variables, resolvers=Resolvers(lookup=lambda a: a, record=lambda a: a)))
        except FormulaError as exc:
            return ("error", str(exc))
        finally:
            compiler.GENERATE_FROM = saved

    generated, looped = run(1), run(10**9)
    assert generated[0] == looped[0]
    assert same(generated[1], looped[1]) or generated == looped
