"""SingleFlight and CallbackAuthSession: concurrent 401s refresh once."""

from __future__ import annotations

import asyncio

import pytest

from runtime._http import ApiClientConfig, AuthSession, CallbackAuthSession, SingleFlight


def test_concurrent_callers_share_one_execution() -> None:
    calls = 0

    async def work() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return f"result-{calls}"

    async def main() -> list[str]:
        flight = SingleFlight()
        results = await asyncio.gather(*[flight.run("k", work) for _ in range(10)])
        assert not flight.inflight("k")
        results.append(await flight.run("k", work))  # a later call runs again
        return results

    results = asyncio.run(main())
    assert results == ["result-1"] * 10 + ["result-2"]
    assert calls == 2


def test_different_keys_run_separately_and_errors_reach_every_caller() -> None:
    async def boom() -> None:
        await asyncio.sleep(0.005)
        raise ValueError("refresh failed")

    async def main() -> list[object]:
        flight = SingleFlight()
        return await asyncio.gather(*[flight.run(i % 2, boom) for i in range(4)], return_exceptions=True)

    results = asyncio.run(main())
    assert [type(r) for r in results] == [ValueError] * 4
    assert len({id(r) for r in results}) == 2  # one execution per key


def test_a_cancelled_caller_does_not_cancel_the_work_for_others() -> None:
    async def work() -> str:
        await asyncio.sleep(0.02)
        return "done"

    async def main() -> str:
        flight = SingleFlight()
        first = asyncio.ensure_future(flight.run("k", work))
        second = asyncio.ensure_future(flight.run("k", work))
        await asyncio.sleep(0.005)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        return await second

    assert asyncio.run(main()) == "done"


def test_session_refreshes_once_for_ten_concurrent_failures() -> None:
    refreshes = 0
    persisted: list[dict[str, str]] = []

    async def refresher(creds: object) -> dict[str, str]:
        nonlocal refreshes
        refreshes += 1
        await asyncio.sleep(0.01)
        return {"access_token": f"t{refreshes + 1}"}

    async def on_change(creds: dict[str, str]) -> None:
        persisted.append(creds)

    session = CallbackAuthSession({"access_token": "t1", "refresh_token": "r"}, lambda c: ApiClientConfig(),
                                  refresher=refresher, on_change=on_change)
    assert isinstance(session, AuthSession)

    async def main() -> list[bool]:
        first = await asyncio.gather(*[session.refresh(0) for _ in range(10)])
        late = await session.refresh(0)  # a caller that failed with the old generation: just retry
        return [*first, late]

    assert asyncio.run(main()) == [True] * 11
    assert refreshes == 1 and session.generation == 1
    assert session.credentials == {"access_token": "t2", "refresh_token": "r"}  # merged (SPEC 3)
    assert persisted == [{"access_token": "t2", "refresh_token": "r"}]


def test_session_without_refresher_cannot_refresh() -> None:
    session = CallbackAuthSession({}, lambda c: ApiClientConfig())
    assert asyncio.run(session.refresh(0)) is False


def test_proactive_refresh_before_expiry_happens_once() -> None:
    refreshes = 0

    async def refresher(creds: object) -> dict[str, object]:
        nonlocal refreshes
        refreshes += 1
        await asyncio.sleep(0.01)
        return {"access_token": "fresh", "expires_at": "2999-01-01T00:00:00Z"}

    from runtime._auth import needs_refresh

    session = CallbackAuthSession({"access_token": "old", "expires_at": "2000-01-01T00:00:00Z"},
                                  lambda c: ApiClientConfig(headers={"Authorization": f"Bearer {c['access_token']}"}),
                                  refresher=refresher, expiring=needs_refresh)

    async def main() -> list[ApiClientConfig]:
        return await asyncio.gather(*[session.api_config() for _ in range(5)])

    configs = asyncio.run(main())
    assert refreshes == 1 and session.generation == 1
    assert {c.headers["Authorization"] for c in configs} == {"Bearer fresh"}
