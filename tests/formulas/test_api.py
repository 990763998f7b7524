"""The public API of runtime._formulas: programs, errors, resolvers, locators, lint, JS semantics."""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import runtime._formulas as formulas
from runtime._errors import FormulaError
from runtime._formulas import (
    FORMULA_NAMES,
    UNDEFINED,
    Locator,
    LocatorSyntaxError,
    Resolvers,
    compile_mapping,
    lint_mapping,
)
from runtime._formulas._js import loose_equal, parse_float, to_number, to_string
from runtime._formulas._names import parse_name

SPEC_FORMULAS = (
    "$var $tpl $template $concat $eval $and $or $case $map $iterate $firstName $lastName $copy $plain "
    "$formula $firstNotEmpty $jsonata $mergeObjects $domainFromEmail $extractDate $extractTime $record "
    "$lookup $findExternalRecordId $findAppRecordId $dataSchemaRef $jmespath"
).split()


def test_formula_names_are_the_spec_set() -> None:
    assert set(FORMULA_NAMES) == set(SPEC_FORMULAS)


def test_undefined_is_a_falsy_singleton() -> None:
    assert not UNDEFINED
    assert repr(UNDEFINED) == "UNDEFINED"
    assert type(UNDEFINED)() is UNDEFINED
    assert UNDEFINED is not None


# --- programs ---------------------------------------------------------------------------------


def test_is_constant() -> None:
    assert compile_mapping({"a": [1, {"$top": 2}]}).is_constant
    assert compile_mapping("text").is_constant
    assert not compile_mapping({"a": {"$var": "x"}}).is_constant
    assert "is_constant=True" in repr(compile_mapping({}))


def test_top_level_undefined_is_none_and_null_is_none() -> None:
    assert compile_mapping({"$var": "missing"}).evaluate({}) is None
    assert compile_mapping({"$var": "x"}).evaluate({"x": None}) is None
    assert compile_mapping({"k": {"$var": "x"}}).evaluate({"x": None}) == {"k": None}
    assert compile_mapping({"k": {"$var": "x"}}).evaluate({}) is None


def test_results_are_fresh_so_callers_may_mutate_them() -> None:
    program = compile_mapping({"headers": {"Accept": "application/json"}, "id": {"$var": "id"}, "tags": [["a"]]})
    first = program.evaluate({"id": 1})
    first["headers"]["Accept"] = "mutated"
    first["tags"][0].append("b")
    assert program.evaluate({"id": 2}) == {"headers": {"Accept": "application/json"}, "id": 2, "tags": [["a"]]}
    constant = compile_mapping({"a": {"b": [1]}})
    constant.evaluate({})["a"]["b"].append(2)
    assert constant.evaluate({}) == {"a": {"b": [1]}}


def test_values_read_from_variables_are_the_callers_own() -> None:
    record = {"a": 1}
    assert compile_mapping({"$var": "r"}).evaluate({"r": record}) is record


def test_evaluate_from_many_threads() -> None:
    program = compile_mapping(
        {"$iterate": {"locator": "$.rows", "items": {"v": {"$var": "$.rows.$current.v"}, "t": {"$var": "$.tag"}}}}
    )

    def run(n: int) -> Any:
        return program.evaluate({"rows": [{"v": n}, {"v": n + 1}], "tag": n})

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, range(200)))
    assert results == [[{"v": n, "t": n}, {"v": n + 1, "t": n}] for n in range(200)]


def test_legacy_iterate_nested_current() -> None:
    mapping = {
        "$iterate": {
            "locator": "$.groups",
            "items": {
                "name": {"$var": "$.groups.$current.name"},
                "members": {
                    "$iterate": {
                        "locator": "$.groups.$current.members",
                        "items": {"$concat": [{"$var": "$.groups.$current.name"}, "/",
                                              {"$var": "$.groups.$current.members.$current"}]},
                    }
                },
            },
        }
    }
    variables = {"groups": [{"name": "a", "members": ["x", "y"]}, {"name": "b", "members": ["z"]}]}
    assert compile_mapping(mapping).evaluate(variables) == [
        {"name": "a", "members": ["a/x", "a/y"]},
        {"name": "b", "members": ["b/z"]},
    ]
    # outside a legacy $iterate, $current is an ordinary key (the engine's reading)
    assert compile_mapping({"$var": "a.$current"}).evaluate({"a": {"$current": 1}}) == 1


# --- errors -----------------------------------------------------------------------------------


def test_error_names_file_and_path() -> None:
    mapping = {"fields": {"owner": {"$case": {"cases": [{"value": 1}, {"filter": [{"operator": "is"}]}]}}}}
    with pytest.raises(FormulaError) as info:
        compile_mapping(mapping, source="data/deals/fields-from-api.map.yml")
    assert str(info.value) == (
        "data/deals/fields-from-api.map.yml: fields.owner.$case.cases[1].filter[0]: a filter condition needs 'field'"
    )
    assert info.value.key == "formula_error"
    assert info.value.type == "configuration"
    assert info.value.data == {"file": "data/deals/fields-from-api.map.yml",
                               "path": "fields.owner.$case.cases[1].filter[0]"}


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"$tpl": {"values": {}}}, "x.$tpl: $tpl needs 'template'"),
        ({"$tpl": "Hello"}, "x.$tpl: $tpl expects a mapping, got a string"),
        ({"$map": [1]}, "x.$map: $map expects a mapping, got a list"),
        ({"$map": {"value": 1, "mapping": [1]}}, "x.$map.mapping[0]: a $map entry is a mapping"),
        ({"$and": "x"}, "x.$and: $and expects a list or a formula, got a string"),
        ({"$firstNotEmpty": {"a": 1}}, "x.$firstNotEmpty: $firstNotEmpty expects a list or a formula, got a mapping"),
        ({"$iterate": {"source": []}}, "x.$iterate: $iterate needs 'item'"),
        ({"$iterate": {"locator": 1, "items": 1}}, "x.$iterate.locator: $iterate expects 'locator' to be a string"),
        ({"$case": {"cases": [1]}}, "x.$case.cases[0]: a case is a mapping"),
        ({"$copy": 5}, "x.$copy: $copy expects a string or a formula, got a number"),
        ({"$concat": {"values": "ab"}}, "x.$concat.values: $concat expects 'values' to be a list or a formula"),
        ({"$template": ["a"]}, "x.$template: $template expects a string, got a list"),
        ({"$jmespath": {"$var": "a"}}, "x.$jmespath: $jmespath expects a string, got a formula"),
    ],
)
def test_signatures_are_checked_at_compile_time(mapping: dict[str, Any], message: str) -> None:
    with pytest.raises(FormulaError) as info:
        compile_mapping({"x": mapping}, source="m.yml")
    assert str(info.value).startswith("m.yml: " + message), str(info.value)


def test_locator_syntax_error_shows_a_caret() -> None:
    with pytest.raises(FormulaError) as info:
        compile_mapping({"a": [{"$var": "$.items[x].name"}]}, source="m.yml")
    lines = str(info.value).splitlines()
    assert lines[0].startswith("m.yml: a[0].$var: invalid index [x]")
    assert lines[1] == "  $.items[x].name"
    assert lines[2] == "          ^"


@pytest.mark.parametrize(
    ("locator", "position", "problem"),
    [("a[1", 1, "no closing bracket"), ("$x", 1, "unexpected 'x'"), ("a[0]b", 4, "unexpected 'b'"),
     ("a[-1]", 2, "invalid index"), ("", 0, "empty locator")],
)
def test_locator_syntax_errors(locator: str, position: int, problem: str) -> None:
    with pytest.raises(LocatorSyntaxError) as info:
        Locator(locator)
    assert info.value.position == position
    assert problem in info.value.problem


def test_locator_steps() -> None:
    assert Locator("a\\.b").search({"a.b": 1, "a": {"b": 2}}) == 1
    assert Locator("a\\\\.b").search({"a\\": {"b": 3}}) == 3
    assert Locator("[0]").search({"": [5]}) == 5  # the engine reads `[0]` as `$.""[0]`
    assert Locator("$[1]").search([1, 2]) == 2
    assert Locator("a[1.5]").search({"a": [1, 2]}) is UNDEFINED
    assert Locator("a[ 1 ]").search({"a": [1, 2]}) == 2  # Number(" 1 ") is 1
    assert Locator("a.b").search({"a": "str"}) is UNDEFINED
    assert Locator("a[0]").search({"a": [0]}) == 0  # plain path semantics keep falsy elements
    assert compile_mapping({"$var": "a[0]"}).evaluate({"a": [0]}) is None  # $var has the engine's quirk


# --- resolvers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "attribute"),
    [("$lookup", "lookup"), ("$findExternalRecordId", "find_external_record_id"),
     ("$findAppRecordId", "find_app_record_id"), ("$dataSchemaRef", "data_schema_ref"), ("$record", "record")],
)
def test_host_formulas_call_their_resolver(name: str, attribute: str) -> None:
    calls: list[Any] = []

    def resolver(args: Any) -> Any:
        calls.append(args)
        return {"resolved": name}

    program = compile_mapping({"out": {name: {"id": {"$var": "id"}, "table": "t"}}})
    assert program.evaluate({"id": 7}, resolvers=Resolvers(**{attribute: resolver})) == {"out": {"resolved": name}}
    assert calls == [{"id": 7, "table": "t"}]


@pytest.mark.parametrize(
    "name", ["$lookup", "$findExternalRecordId", "$findAppRecordId", "$dataSchemaRef"]
)
def test_host_formulas_without_a_resolver_name_the_formula(name: str) -> None:
    program = compile_mapping({"a": [{name: {"x": 1}}]}, source="m.yml")
    with pytest.raises(FormulaError) as info:
        program.evaluate({}, resolvers=Resolvers())
    assert str(info.value).startswith(f"m.yml: a[0].{name}: {name} needs the host")


def test_resolver_errors_propagate_as_themselves() -> None:
    def broken(args: Any) -> Any:
        raise KeyError("host bug")

    with pytest.raises(KeyError):
        compile_mapping({"$lookup": 1}).evaluate({}, resolvers=Resolvers(lookup=broken))


# --- $jsonata / $jmespath -------------------------------------------------------------------------


def test_dynamic_jsonata_compiles_each_distinct_expression_once() -> None:
    from runtime._formulas._jsonata import CACHE_SIZE, compile_jsonata_cached

    compile_jsonata_cached.cache_clear()
    program = compile_mapping({"$jsonata": {"$concat": ["$sum(", {"$var": "field"}, ")"]}})
    for _ in range(5):
        assert program.evaluate({"field": "a", "a": [1, 2]}) == 3
        assert program.evaluate({"field": "b", "b": [5]}) == 5
    info = compile_jsonata_cached.cache_info()
    assert (info.misses, info.hits, info.maxsize) == (2, 8, CACHE_SIZE)


def test_jmespath_null_is_undefined() -> None:
    assert compile_mapping({"a": {"$jmespath": "x.y"}, "b": 1}).evaluate({"x": {"y": None}}) == {"b": 1}


# --- lint -------------------------------------------------------------------------------------


def test_lint_warnings() -> None:
    mapping = {
        "query": {"$top": 10, "$filter": "a eq 1", "$Var": "x", "$concatt": [1]},
        "data": {"a": 1, "$var": "b"},
        "f": {"$var": "a", "$jsonata": "b"},
        "e": {"$eval": 1, "equals": 2},
        "c": {"$case": [{"filter": [{"field": "a", "operator": "eq", "value": 1}], "value": 1}]},
        "p": {"$plain": {"$Var": 1}},
    }
    assert lint_mapping(mapping, source="m.yml") == [
        "m.yml: query.$Var: $Var is not a formula and is kept as a literal key; did you mean $var?",
        "m.yml: query.$concatt: $concatt is not a formula and is kept as a literal key; did you mean $concat?",
        "m.yml: data.$var: $var is a formula only as the first key of its object; here it is data",
        "m.yml: f.$jsonata: $jsonata beside $var is ignored",
        "m.yml: e.equals: unknown $eval operator 'equals' (the $eval is always true); known: contains, "
        "doesNotContain, gt, gte, is, isEmpty, isNot, isNotEmpty, lt, lte, noneOf, oneOf",
        "m.yml: c.$case[0].filter[0]: unknown condition operator 'eq': the condition is skipped",
    ]
    assert lint_mapping({"$top": 1, "a": {"$var": "b"}}) == []


def test_lint_warns_about_quoted_locator_segments_that_can_never_match() -> None:
    mapping = {"rate": {"$var": 'response.headers."x-ratelimit-remaining"'}, "ok": {"$var": "a.b-c"}}
    assert compile_mapping(mapping).evaluate({"response": {"headers": {"x-ratelimit-remaining": "0"}}}) is None
    (warning,) = lint_mapping(mapping, source="m.yml")
    assert warning.startswith("m.yml: rate.$var: locator 'response.headers.\"x-ratelimit-remaining\"' has a quoted segment")


# --- JavaScript semantics -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(1, "1"), (1.0, "1"), (-0.0, "0"), (2.5, "2.5"), (0.1 + 0.2, "0.30000000000000004"), (1e21, "1e+21"),
     (1e20, "100000000000000000000"), (1.5e-7, "1.5e-7"), (0.000001, "0.000001"), (123456789012345680000.0,
     "123456789012345680000"), (math.nan, "NaN"), (-math.inf, "-Infinity"), (True, "true"), (None, "null"),
     (UNDEFINED, "undefined"), ([1, None, [2, "a"]], "1,,2,a"), ({"a": 1}, "[object Object]"), (10**22, "1e+22")],
)
def test_to_string_is_javascript_string(value: Any, text: str) -> None:
    assert to_string(value) == text


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [(1, "1", True), ("1", 1.0, True), ("", 0, True), (" \n", 0, True), ("0x10", 16, True), (None, UNDEFINED, True),
     (None, 0, False), (None, "", False), (True, 1, True), (True, "1", True), (False, "0", True), (True, 2, False),
     ([1], 1, True), ([1, 2], "1,2", True), ([], "", True), ({}, "[object Object]", True), (math.nan, math.nan, False),
     ("a", "a", True), ("1e3", 1000, True), ("Infinity", math.inf, True), ("1_000", 1000, False)],
)
def test_loose_equal_is_javascript_double_equals(a: Any, b: Any, equal: bool) -> None:
    assert loose_equal(a, b) is equal
    assert loose_equal(b, a) is equal


def test_number_parsing() -> None:
    assert parse_float("10px") == 10
    assert parse_float("  -3.5e2abc") == -350
    assert parse_float(".5") == 0.5
    assert math.isnan(parse_float("abc"))
    assert math.isnan(parse_float(None))
    assert math.isnan(parse_float(True))
    assert parse_float([7, 8]) == 7
    assert to_number("") == 0
    assert math.isnan(to_number("1 2"))
    assert to_number("0b101") == 5


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [("John Smith", "John", "Smith"), ("Cher", "Cher", ""), ("Dr. Martin Luther King Jr.", "Martin", "King"),
     ("Ludwig van Beethoven", "Ludwig", "van Beethoven"), ("Smith, John A.", "John", "Smith"),
     ('Jose "Pepe" Garcia', "Jose", "Garcia"), ("Mr. Bean", None, "Bean"), ("  ", "", "")],
)
def test_names_like_humanparser(name: str, first: str | None, last: str) -> None:
    parts = parse_name(name)
    assert parts.get("firstName") == first
    assert parts.get("lastName") == last


def test_no_background_threads_left() -> None:
    assert all(t.daemon or t is threading.main_thread() or not t.is_alive() for t in threading.enumerate())
