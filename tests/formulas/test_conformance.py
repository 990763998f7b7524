"""The JMESPath compliance suite (../shared/conformance/jmespath, 908 cases) against our own path code.

Two pieces of this package evaluate paths without the jmespath library:
- `$jmespath`'s fast path for plain paths (`a.b[0]`, `"quoted"`, negative indexes); every suite
  case goes through `$jmespath` (fast path or library), and every one must give the suite's
  result or, for error cases, a FormulaError;
- locators (`$var`, `$case` fields, `$iterate`): their grammar is the engine's, not JMESPath's
  (`a.1`, `first-name` are locators but JMESPath syntax errors; `"a"` is a key with quotes), so
  they are checked on the suite expressions that both grammars read the same way (identifiers,
  dots, non-negative indexes). `Locator.search` must match the suite on all of them. `$var` adds
  the engine's quirk that a JS-falsy array element reads as undefined; the test pins down that
  this is the only difference.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from runtime._errors import FormulaError
from runtime._formulas import UNDEFINED, Locator, compile_mapping
from runtime._formulas._jmespath import fast_path_steps
from runtime._formulas._js import truthy
from tests.conftest import shared_path

BOTH_GRAMMARS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])*\Z")


def suite_cases() -> list[tuple[str, Any, dict[str, Any]]]:
    root = shared_path("conformance", "jmespath")
    cases = []
    for path in sorted(root.glob("*.json")):
        for group in json.loads(path.read_text(encoding="utf-8")):
            for case in group["cases"]:
                cases.append((path.stem, group["given"], case))
    return cases


def same(a: Any, b: Any) -> bool:
    """JSON equality that tells true from 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def test_every_suite_case_through_jmespath_formula() -> None:
    cases = suite_cases()
    assert len(cases) == 908
    failures = []
    fast = 0
    for file, given, case in cases:
        expression = case["expression"]
        if fast_path_steps(expression) is not None:
            fast += 1
        try:
            value = compile_mapping({"$jmespath": expression}, source=file).evaluate(given)
        except FormulaError as exc:
            if "error" not in case:
                failures.append(f"{file}: {expression!r}: unexpected {exc}")
            continue
        if "error" in case:
            failures.append(f"{file}: {expression!r}: expected a {case['error']} error, got {value!r}")
        elif "result" in case and not same(value, case["result"]):
            failures.append(f"{file}: {expression!r}: {value!r} != {case['result']!r}")
    assert not failures, "\n".join(failures[:30])
    assert fast > 150, "the fast path should serve the plain-path cases"


def test_fast_path_agrees_with_the_library_on_its_own() -> None:
    """The fast path alone (no fallback) gives the suite's result on every case it accepts."""
    from runtime._formulas._jmespath import _fast_search

    checked = 0
    for _file, given, case in suite_cases():
        steps = fast_path_steps(case["expression"])
        if steps is None:
            continue
        assert "error" not in case, case
        if "result" in case:
            assert same(_fast_search(steps)(given), case["result"]), case
            checked += 1
    assert checked > 150


def _intersection_cases() -> list[tuple[Any, dict[str, Any]]]:
    return [(given, case) for _f, given, case in suite_cases() if BOTH_GRAMMARS.match(case["expression"])]


def test_locators_agree_with_the_suite_where_grammars_meet() -> None:
    cases = _intersection_cases()
    assert len(cases) > 90
    for given, case in cases:
        assert "error" not in case, case  # the shared subset is valid JMESPath
        if "result" not in case:
            continue
        value = Locator(case["expression"]).search(given)
        assert same(None if value is UNDEFINED else value, case["result"]), case


def test_var_differs_from_the_suite_only_by_the_falsy_element_quirk() -> None:
    quirk = agree = 0
    for given, case in _intersection_cases():
        if "result" not in case:
            continue
        value = compile_mapping({"$var": case["expression"]}).evaluate(given)
        if same(value, case["result"]):
            agree += 1
            continue
        # the only allowed difference: the suite finds a falsy array element, $var reads undefined
        assert value is None and not truthy(case["result"]), case
        assert case["expression"].endswith("]"), case
        quirk += 1
    assert agree > 90
    assert quirk <= 2  # the suite barely has falsy elements at an index; cases/core.yaml tests the quirk


@pytest.mark.parametrize(
    ("expression", "column"),
    [("foo.[", 5), ("foo[?a ==", 9), ("a ||", 4)],
)
def test_jmespath_syntax_errors_show_a_caret(expression: str, column: int) -> None:
    with pytest.raises(FormulaError) as info:
        compile_mapping({"x": {"$jmespath": expression}}, source="m.yml")
    text = str(info.value)
    assert text.startswith("m.yml: x.$jmespath: JMESPath syntax error")
    lines = text.splitlines()
    assert lines[-2].strip() == expression
    assert lines[-1].index("^") - lines[-2].index(expression[0]) == column
