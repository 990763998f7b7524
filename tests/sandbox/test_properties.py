"""Property tests: arbitrary JSON goes in and comes out unchanged."""

from __future__ import annotations

import asyncio
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox import Sandbox, compile_module

# st.text() never makes lone surrogates (legal in JS strings), whatever its alphabet: join
# characters, surrogates (category Cs) included
texts = st.lists(st.characters() | st.characters(categories=["Cs"]), max_size=8).map("".join)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f == 0.0 or abs(f) > 1e-300)
    | texts,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(texts, children, max_size=5),
    max_leaves=20,
)

SB = Sandbox()
IDENTITY = compile_module("export default (x) => x", "identity.js")
VIA_HOST = compile_module("export default async (x) => __sandbox.host('echo', x)", "via_host.js")


def _as_json(value):
    """The value as JSON reads it: a Python str may hold a surrogate pair as two code points,
    which JSON (and JS) read as the one character they encode."""
    return json.loads(json.dumps(value))


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, int | float):
        return float(b) == a
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b and type(a) is type(b) or (a == b and isinstance(a, int | float) and isinstance(b, int | float))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_json_round_trip(value) -> None:
    assert _same(_as_json(value), SB.call_sync(IDENTITY, args=[value]).value)


async def _echo(payload):
    return payload


@settings(max_examples=30, deadline=None)
@given(json_values)
def test_json_round_trip_through_a_host_operation(value) -> None:
    result = asyncio.run(SB.call(VIA_HOST, args=[value], host_operations={"echo": _echo}))
    assert _same(_as_json(value), result.value)
