"""What the call path must not do (file I/O, YAML parsing) and must not show (secrets in reprs),
and the strict mode a host asks for with `connect(strict=True)`."""

from __future__ import annotations

import builtins
import pathlib
from typing import Any

import pytest
import yaml

from runtime import CallContext, ConnectionProblem, Connector, CustomCodeError
from tests.connectors import path as connector_path
from tests.core.conftest import run


def _forbidden(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("file I/O or YAML parsing on the call path")


def test_calls_read_no_file_and_parse_no_yaml(fake_api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # a fresh load: nothing cached from other tests; makeApiClient has responseHandlers
    connector = Connector.load(connector_path("apikey"))
    assert connector.sandbox is not None  # the process-wide sandbox reads its JS once, on first use

    async def main() -> tuple[Any, Any]:
        async with connector.connect(
            connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key}
        ) as conn:
            for name in ("load", "safe_load", "full_load"):
                monkeypatch.setattr(yaml, name, _forbidden)
            monkeypatch.setattr(pathlib.Path, "read_text", _forbidden)
            monkeypatch.setattr(pathlib.Path, "read_bytes", _forbidden)
            monkeypatch.setattr(builtins, "open", _forbidden)
            page = await conn.call("data/items/list", {"cursor": None})
            with pytest.raises(ConnectionProblem) as teapot:
                await conn.call("operations/uncaught-api-error/run", {"input": {"code": 418}})
            monkeypatch.undo()
            return page, teapot.value

    page, teapot = run(main())
    assert len(page.output["records"]) == 10
    assert teapot.key == "teapot" and teapot.message == "the API is a teapot: fake status 418"


def test_reprs_show_no_secret(apikey: Any, fake_api: Any) -> None:
    secret = fake_api.api_key

    async def main() -> list[str]:
        async with apikey.connect(
            connector_parameters={"baseUri": fake_api.url, "clientSecret": "client-secret-9f"},
            credentials={"apiKey": secret},
        ) as conn:
            result = await conn.call("operations/context/run", {"input": {"x": 1}})
            call = conn.new_call()
            call.credentials_changed = {"apiKey": secret}
            call.logs.append({"level": "log", "message": secret})
            return [repr(conn), repr(apikey), repr(result), repr(call), repr(conn.redactor), repr(await conn.api_config())]

    shown = "\n".join(run(main()))
    assert secret not in shown and "client-secret-9f" not in shown
    assert "CallContext(" in shown and "credentials=changed" in shown
    assert CallContext.__repr__ is not object.__repr__


@pytest.mark.parametrize("strict", [False, True])
def test_strict_mode_turns_output_schema_warnings_into_errors(apikey: Any, fake_api: Any, strict: bool) -> None:
    async def main() -> Any:
        async with apikey.connect(
            connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key}, strict=strict
        ) as conn:
            assert conn.strict is strict
            return await conn.call("operations/sloppy/run")

    if not strict:
        result = run(main())
        assert result.output == {"total": 3}
        assert any("output.count" in e["message"] and e["level"] == "warn" for e in result.logs)
    else:
        with pytest.raises(CustomCodeError) as info:
            run(main())
        assert info.value.key == "output_schema_mismatch" and "output.count" in info.value.message


def test_connect_reuses_one_tls_context(apikey: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    run(apikey.connect().aclose())  # the process-wide context exists from here on

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a TLS context (CA bundle load, ~50 ms) built per connection")

    monkeypatch.setattr(ssl, "create_default_context", refuse)
    for _ in range(3):
        run(apikey.connect(credentials={"apiKey": "k"}).aclose())


def test_values_json_cannot_carry_are_invalid_input_not_internal_errors(apikey: Any, fake_api: Any) -> None:
    import datetime

    from runtime import InvalidInputError

    with pytest.raises(InvalidInputError) as at_connect:
        apikey.connect(credentials={"apiKey": "k", "expires_at": datetime.datetime(2030, 1, 1)})
    assert "credentials must be JSON data" in at_connect.value.message

    async def main() -> list[Any]:
        errors = []
        async with apikey.connect(
            connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key}
        ) as conn:
            for bad in ({"when": datetime.date(2030, 1, 1)}, {"raw": b"x"}, {"n": float("nan")}):
                with pytest.raises(InvalidInputError) as info:
                    await conn.call("operations/map/run", {"input": bad})
                errors.append(info.value)
        return errors

    errors = run(main())
    assert all(e.message.startswith("operations/map/run: input must be JSON data") for e in errors)
    assert fake_api.requests == []  # refused before anything ran


def test_js_globals_are_seen_by_the_same_connection_only(tmp_path: pathlib.Path) -> None:
    """A connection's JS calls may share a warm context (one after another); another
    connection's calls never see what they left, and a closed connection's context goes."""
    root = tmp_path / "counter"
    op = root / "operations" / "count"
    op.mkdir(parents=True)
    (root / "spec.yml").write_text("key: counter\nname: Counter\nauth:\n  type: client-credentials\n  makeApiClient: {implementationType: mapping, mapping: {baseUri: http://127.0.0.1:9}}\n")
    (op / "spec.yml").write_text("name: Count\nmethods:\n  run: {implementationType: javascript}\n")
    (op / "run.js").write_text("export default function run() { globalThis.n = (globalThis.n || 0) + 1; return globalThis.n }\n")
    connector = Connector.load(root)

    async def main() -> tuple[list[int], list[int]]:
        async with connector.connect() as a, connector.connect() as b:
            seen_a = [(await a.call("operations/count/run")).output for _ in range(3)]
            seen_b = [(await b.call("operations/count/run")).output for _ in range(2)]
            key = a._reuse_key
        assert key not in connector.sandbox._warm  # closing the connection dropped its context
        return seen_a, seen_b

    seen_a, seen_b = run(main())
    assert seen_b == [1, 2]
    assert seen_a == [1, 2, 3]  # one warm context served the three calls
