"""The sync facade: call_sync, flows and `with`, on one private event loop per connection."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from runtime import ConfigurationError, MethodResult


def test_sync_facade_reuses_its_loop_and_closes(apikey: Any, fake_api: Any) -> None:
    changes: list[Any] = []
    with apikey.connect(connector_parameters={"baseUri": fake_api.url}, on_credentials_changed=changes.append) as conn:
        creds = conn.connect_client_credentials_sync({"apiKey": fake_api.api_key})
        assert conn.test_sync() is True
        first = conn.call_sync("data/items/list", {"cursor": None})
        second = conn.call_sync("data/items/list", {"cursor": first.output["cursor"]})
    assert isinstance(first, MethodResult)
    assert creds == changes[0] == {"apiKey": fake_api.api_key}
    assert second.output["records"][0]["id"] == "11"
    assert first.to_dict() == {"output": first.output, "logs": []}
    with pytest.raises(ConfigurationError):
        conn.call_sync("data/items/list")  # closed


def test_sync_call_inside_a_running_loop_is_refused(apikey: Any, fake_api: Any) -> None:
    async def main() -> None:
        async with apikey.connect(connector_parameters={"baseUri": fake_api.url}) as conn:
            with pytest.raises(RuntimeError, match="await"):
                conn.call_sync("operations/map/run")

    asyncio.run(main())


def test_repr_shows_no_secret(apikey: Any, fake_api: Any) -> None:
    conn = apikey.connect(connector_parameters={"baseUri": fake_api.url}, credentials={"apiKey": fake_api.api_key})
    try:
        assert fake_api.api_key not in repr(conn)
        assert "apikey" in repr(conn)
    finally:
        conn.close()
