"""The seam element code (issue 5) builds on: run_method + CallContext, set_credentials, disconnect."""

from __future__ import annotations

from typing import Any

import pytest

from runtime import CallContext, CustomCodeError
from tests.core.conftest import run


def test_run_method_records_into_the_call_context(apikey: Any, fake_api: Any) -> None:
    async def main() -> tuple[Any, CallContext]:
        async with apikey.connect(connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key}) as conn:
            call = conn.new_call()
            impl = conn.loaded.method("data/items/list")
            first = await conn.run_method(impl, {"cursor": None}, call, {"p": 1})
            logs_impl = conn.loaded.method("operations/logs/run")
            doubled = await conn.run_method(logs_impl, {"input": {"n": 2}}, call)
            return (first, doubled), call

    (first, doubled), call = run(main())
    assert len(first["records"]) == 10 and doubled == 4
    assert [r.status for r in call.requests] == [200]  # both methods' records land in one call
    assert [e["level"] for e in call.logs] == ["log", "warn"]
    assert call.credentials_changed is None
    assert call.deadline is not None and call.limits.wall_time > 0


def test_run_method_errors_carry_path_and_file(apikey: Any, fake_api: Any) -> None:
    async def main() -> None:
        async with apikey.connect(connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": "abcd-1234"}) as conn:
            impl = conn.loaded.method("operations/throws/run")
            await conn.run_method(impl, {}, conn.new_call(), method_path="operations/throws/run")

    with pytest.raises(CustomCodeError) as info:
        run(main())
    assert info.value.method_path == "operations/throws/run"  # type: ignore[attr-defined]
    assert info.value.file == "operations/throws/run.js"  # type: ignore[attr-defined]
    assert "abcd-1234" not in info.value.message


def test_set_credentials_notifies_and_rebuilds_the_client(apikey: Any, fake_api: Any) -> None:
    seen: list[Any] = []

    async def main() -> tuple[bool, bool]:
        async with apikey.connect(
            connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": "wrong-key"}, on_credentials_changed=seen.append
        ) as conn:
            before = await conn.test()
            await conn.set_credentials({"apiKey": fake_api.api_key})
            return before, await conn.test()

    assert run(main()) == (False, True)
    assert seen == [{"apiKey": fake_api.api_key}]


def test_disconnect_without_a_method_is_a_no_op(apikey: Any, fake_api: Any) -> None:
    async def main() -> None:
        async with apikey.connect(connector_parameters={"baseUri": fake_api.url}) as conn:
            await conn.disconnect()

    run(main())
    assert fake_api.requests == []
