"""The data-driven formula cases (cases/*.yaml): every formula and semantic rule of SPEC 5.2.

Expected values were checked against the platform's engine with tools/differential.py, except
the cases marked `engine: false` (deliberate differences, each with its reason).
"""

from __future__ import annotations

from typing import Any

import pytest

from runtime._errors import FormulaError
from runtime._formulas import compile_mapping
from tests.formulas._cases import load_cases

CASES = load_cases()


def test_case_names_are_unique() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) > 100


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    mapping, variables = case["mapping"], case.get("variables", {})
    if "error" in case:
        with pytest.raises(FormulaError) as info:
            compile_mapping(mapping, source="case.yml").evaluate(variables)
        assert case["error"] in str(info.value)
        assert str(info.value).startswith("case.yml: ")
        return
    result = compile_mapping(mapping, source="case.yml").evaluate(variables)
    # wrapped in {k: ...}, an undefined value drops its key (and then the empty object);
    # $copy locators are relative to the output's root, so those cases are not wrapped
    wrapped = None if case.get("wrap") is False else compile_mapping({"k": mapping}).evaluate(variables)
    if case.get("undefined"):
        assert result is None
        assert wrapped is None
    else:
        assert result == case["result"]
        assert _same_types(result, case["result"]), f"{result!r} vs {case['result']!r}"
        if case.get("wrap") is not False:
            assert wrapped == {"k": case["result"]}


def _same_types(a: Any, b: Any) -> bool:
    """Equality that tells true from 1 (Python's == does not)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_types(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_types(a[k], b[k]) for k in a)
    return a == b
