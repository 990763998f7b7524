"""`sandbox.RawJSON`: JSON text a host operation returns as it is, parsed by JavaScript."""

from __future__ import annotations

import pytest

from sandbox import RawJSON, Sandbox, compile_module

from .conftest import FAST

CATCHING = compile_module(
    "export default async () => { try { return ['ok', await __sandbox.host('op', 1)] } catch (e) { return ['caught', e.name, e.message] } }",
    "raw.js",
)


def returns(sb: Sandbox, value: object) -> object:
    async def op(payload: object) -> object:
        return value

    return sb.call_sync(CATCHING, host_operations={"op": op}, limits=FAST).value


@pytest.mark.parametrize(
    "text, seen",
    [
        ('{"a": [1, 2.5, {"b": null, "c": "é \\u00e9 \\ud83d\\ude00"}], "__proto__": {"x": 1}}', {"a": [1, 2.5, {"b": None, "c": "é é 😀"}], "__proto__": {"x": 1}}),
        ("[]", []),
        ('  {"spaced": true}\n', {"spaced": True}),
        ('"just a string"', "just a string"),
    ],
)
def test_json_text_arrives_as_the_value_it_spells(sb: Sandbox, text: str, seen: object) -> None:
    assert returns(sb, RawJSON(text)) == ["ok", seen]
    assert returns(sb, RawJSON(text)) == returns(sb, seen)  # as the value itself would


@pytest.mark.parametrize("text", ["{", "NaN", "\ufeff{}", "{'single': 1}", ""])
def test_text_javascript_cannot_parse_rejects_the_operation(sb: Sandbox, text: str) -> None:
    out = returns(sb, RawJSON(text))
    assert out[:2] == ["caught", "TypeError"] and out[2].startswith("host operation result is not JSON")


def test_text_that_is_not_valid_unicode_rejects_the_operation(sb: Sandbox) -> None:
    out = returns(sb, RawJSON('"\ud800"'))
    assert out[0] == "caught" and "not valid Unicode" in out[2]


def test_a_plain_string_is_still_a_string(sb: Sandbox) -> None:
    assert returns(sb, '{"not": "parsed"}') == ["ok", '{"not": "parsed"}']
