"""Change events of a data collection (SPEC 6.4): four strategies behind one subscription.

A host subscribes once per collection (and parameters) to some of created/updated/deleted;
each type uses the strategy its spec names (full-scan when none):

- webhook: the connector's subscribe/handle/unsubscribe/refresh methods (one set per type,
  or one shared set when several types resolve to the same file);
- pull-latest-records: a high-water mark over `pullLatestRecords` (`_pull_latest.py`);
- custom-pull: the connector's `subscribe` gives a state, `pull({state})` gives events and
  the next state;
- full-scan: every page of `list`, fingerprinted (ignoring `ignoredFields`) and compared with
  the previous snapshot: created, updated and deleted ids.
(The comparisons themselves are pure functions in `_change_detection.py`.)

ALL state lives in one JSON-able dict returned to the host (`subscribe`, `pull`,
`handle_webhook` and `refresh` return the next one). A call either returns new state with its
events or raises and leaves the old state valid, so storing the pair atomically means no event
is lost and none is emitted twice across a restart. Baselines are taken at subscribe: records
that existed before the subscription produce no events.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from runtime._elements._change_detection import diff_snapshot
from runtime._elements._collections import DataCollection
from runtime._elements._errors import InvalidOutputError, InvalidStateError
from runtime._elements._model import CHANGE_TYPES, handle_identity
from runtime._elements._pagination import iterate_pages
from runtime._elements._pull_latest import LatestRecords
from runtime._elements._records import normalize_page, normalize_record
from runtime._elements._state import CHANGE_STATE_SCHEMA, STATE_VERSION, checked_state
from runtime._elements._sync import Blocking, sync_twins
from runtime._elements._webhooks import IncomingRequest, handle_inputs
from runtime._elements._times import parse_time
from runtime._errors import InvalidInputError, NotSupportedError

__all__ = ["STATE_VERSION", "WEBHOOK_GROUP_PARAM", "ChangeEvents"]

#: Query parameter added to the host's webhook URI when a collection needs several webhooks.
WEBHOOK_GROUP_PARAM = "changeWebhook"
STRATEGIES = ("webhook", "pull-latest-records", "custom-pull", "full-scan")



def _with_group(uri: str | None, group: str, groups: int) -> str | None:
    if uri is None or groups <= 1:
        return uri
    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != WEBHOOK_GROUP_PARAM]
    query.append((WEBHOOK_GROUP_PARAM, group))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _next_refresh(entries: Iterable[Mapping[str, Any]]) -> float | None:
    times = [parse_time(e.get("nextRefreshTimestamp")) for e in entries]
    known = [t for t in times if t is not None]
    return min(known) if known else None


# -- the subscription -------------------------------------------------------------------------


@sync_twins("subscribe", "pull", "handle_webhook", "refresh", "unsubscribe")
class ChangeEvents:
    """Change-event subscription of one collection; every call takes and returns plain state.

    Each method has a blocking `<name>_sync` twin.
    """

    def __init__(self, collection: DataCollection) -> None:
        self.collection = collection
        self.model = collection.model
        self.blocking: Blocking | None = collection.blocking
        self._latest = LatestRecords(collection, self._where)

    def _where(self, what: str) -> str:
        return f"data/{self.model.key}/events: {what}"

    def _groups(self, types: Iterable[str], strategy: str, primary: str) -> list[tuple[str, list[str], Any]]:
        """Types of one strategy grouped by the method that serves them: [(name, types, methods)]."""
        groups: dict[str, tuple[list[str], Any]] = {}
        for t in types:
            ev = self.model.event(t)
            if ev.strategy != strategy:
                continue
            handle = ev.methods.get(primary)
            if handle is None:
                raise NotSupportedError(
                    self._where(f"{t} uses {strategy} but the connector has no `{primary}` method for it")
                )
            ident = handle_identity(handle)
            if ident in groups:
                groups[ident][0].append(t)
            else:
                groups[ident] = ([t], ev.methods)
        return [(",".join(ts), ts, methods) for ts, methods in groups.values()]

    def _state(self, state: Any) -> dict[str, Any]:
        new = checked_state(state, CHANGE_STATE_SCHEMA, what="change-event state", where=self._where("state"))
        if new["collection"] != self.model.key:
            raise InvalidStateError(self._where(f"state belongs to collection {new['collection']!r}"))
        return new

    async def _run(self, methods: Mapping[str, Any], method: str, inputs: dict[str, Any], params: dict[str, Any]) -> Any:
        handle = methods.get(method)
        if handle is None:
            raise NotSupportedError(self._where(f"the connector has no `{method}` method"))
        return await self.collection._run(handle, inputs, params)

    async def _records(self, raws: Any, params: dict[str, Any], where: str, *, from_api: bool = True) -> list[dict[str, Any]]:
        records = [normalize_record(r, where=f"{where}[{i}]") for i, r in enumerate(raws or [])]
        return await self.collection.from_api(records, params) if from_api else records

    # -- subscribe ---------------------------------------------------------------------------

    async def subscribe(
        self,
        *,
        types: Iterable[str] | None = None,
        webhook_uri: str | None = None,
        parameters: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Start watching `types` (default all three); the state for the host to store."""
        wanted = list(dict.fromkeys([types] if isinstance(types, str) else types or CHANGE_TYPES))
        bad = [t for t in wanted if t not in CHANGE_TYPES]
        if bad:
            raise InvalidInputError(self._where(f"unknown event type {bad[0]!r}; expected one of {', '.join(CHANGE_TYPES)}"))
        for t in wanted:
            if self.model.event(t).strategy not in STRATEGIES:
                raise NotSupportedError(self._where(f"{t}: unknown strategy {self.model.event(t).strategy!r}"))
        params = self.collection.parameters(parameters, method="subscribe")
        state: dict[str, Any] = {
            "version": STATE_VERSION,
            "collection": self.model.key,
            "parameters": params,
            "types": wanted,
        }
        try:
            await self._subscribe_all(state, wanted, webhook_uri, params)
        except Exception:
            # Leave nothing registered at the API for a subscription the host never got.
            await self._rollback(state)
            raise
        self._set_next_refresh(state)
        return state

    async def _subscribe_all(
        self, state: dict[str, Any], wanted: list[str], webhook_uri: str | None, params: dict[str, Any]
    ) -> None:
        webhook_groups = self._groups(wanted, "webhook", "subscribe")
        if webhook_groups:
            if not webhook_uri:
                raise InvalidInputError(self._where("webhook events need the host's webhookUri"))
            state["webhookUri"] = webhook_uri
            state["webhooks"] = {}
            for name, ts, methods in webhook_groups:
                uri = _with_group(webhook_uri, name, len(webhook_groups))
                out = await self._run(methods, "subscribe", {"webhookUri": uri, "parameters": params}, params)
                out = out if isinstance(out, dict) else {}
                state["webhooks"][name] = {
                    "types": ts,
                    "webhookUri": uri,
                    "state": out.get("state"),
                    "nextRefreshTimestamp": out.get("nextRefreshTimestamp"),
                }
        pulls = [t for t in wanted if self.model.event(t).strategy == "pull-latest-records"]
        if pulls:
            state["pullLatest"] = {}
            for t in pulls:
                state["pullLatest"][t] = {"mark": await self._latest.baseline(t, params)}
        custom = self._groups(wanted, "custom-pull", "pull")
        if custom:
            state["customPull"] = {}
            for name, ts, methods in custom:
                sub_state = None
                if "subscribe" in methods:
                    out = await self._run(methods, "subscribe", {"parameters": params}, params)
                    sub_state = out.get("state") if isinstance(out, dict) else None
                state["customPull"][name] = {"types": ts, "state": sub_state}
        scans = [t for t in wanted if self.model.event(t).strategy == "full-scan"]
        if scans:
            _, snapshot = diff_snapshot({}, await self._scan(params), ignored_fields=self._ignored(scans), types=())
            state["fullScan"] = {"types": scans, "snapshot": snapshot}

    async def _rollback(self, state: dict[str, Any]) -> None:
        params = state["parameters"]
        for entries in (state.get("webhooks") or {}, state.get("customPull") or {}):
            for entry in entries.values():
                methods = self.model.event(entry["types"][0]).methods
                if "unsubscribe" not in methods:
                    continue
                try:
                    await self._run(methods, "unsubscribe", {"state": entry.get("state"), "parameters": params}, params)
                except Exception:  # noqa: BLE001 - best effort; the original error is what matters
                    pass

    # -- pull strategies ---------------------------------------------------------------------

    async def pull(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """Run every pull strategy once: `{events, state}` (webhook types only come via handle)."""
        new = self._state(state)
        params = new["parameters"]
        events: list[dict[str, Any]] = []
        for t, entry in (new.get("pullLatest") or {}).items():
            found, mark = await self._latest.pull(t, entry.get("mark"), params)
            events += found
            entry["mark"] = mark
        for name, entry in (new.get("customPull") or {}).items():
            methods = self.model.event(entry["types"][0]).methods
            out = await self._run(methods, "pull", {"state": entry.get("state"), "parameters": params}, params)
            if not isinstance(out, dict):
                raise InvalidOutputError(self._where(f"custom-pull {name}: pull must return {{events, state}}"))
            events += await self._events(out.get("events"), entry["types"], params, f"custom-pull {name}")
            if "state" in out:
                entry["state"] = out["state"]
        scan = new.get("fullScan")
        if scan:
            found, snapshot = diff_snapshot(
                scan["snapshot"],
                await self._scan(params),
                ignored_fields=self._ignored(scan["types"]),
                types=scan["types"],
            )
            events += found
            scan["snapshot"] = snapshot
        return {"events": events, "state": new}

    def _ignored(self, types: Iterable[str]) -> tuple[str, ...]:
        out: list[str] = []
        for t in types:
            out += [f for f in self.model.event(t).ignored_fields if f not in out]
        return tuple(out)

    async def _scan(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []

        async def fetch(cursor: Any) -> dict[str, Any]:
            raw = await self.collection.run_method("list", {"cursor": cursor, "filter": None}, params)
            page = normalize_page(raw, where=self.collection.where("list"))
            page["records"] = await self.collection.from_api(page["records"], params)
            return page

        async for page in iterate_pages(fetch, where=self.collection.where("list")):
            records += page["records"]
        return records

    async def _events(self, raw: Any, types: list[str], params: dict[str, Any], where: str) -> list[dict[str, Any]]:
        """Connector events -> `{type, record}` of the subscribed types, records normalised."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise InvalidOutputError(self._where(f"{where}: events must be a list"))
        out: list[dict[str, Any]] = []
        for i, event in enumerate(raw):
            if not isinstance(event, dict):
                raise InvalidOutputError(self._where(f"{where}: events[{i}] must be an object"))
            type_ = event.get("type") or (types[0] if len(types) == 1 else None)
            if type_ not in CHANGE_TYPES:
                raise InvalidOutputError(self._where(f"{where}: events[{i}].type must be one of {', '.join(CHANGE_TYPES)}"))
            if type_ not in types:
                continue
            raw_record = event.get("record")
            if raw_record is None:
                raw_record = {k: v for k, v in event.items() if k != "type"}
            record = normalize_record(raw_record, where=self._where(f"{where}: events[{i}].record"))
            if type_ != "deleted":
                record = (await self.collection.from_api([record], params))[0]
            out.append({"type": type_, "record": record})
        return out

    # -- webhooks ----------------------------------------------------------------------------

    async def handle_webhook(self, state: Mapping[str, Any], request: IncomingRequest | Mapping[str, Any]) -> dict[str, Any]:
        """One incoming webhook call (`{query, data, headers, rawBody}`): `{events, response?, state}`."""
        new = self._state(state)
        request = handle_inputs(request)
        hooks = new.get("webhooks") or {}
        if not hooks:
            raise InvalidInputError(self._where("this subscription has no webhook events"))
        query = request["query"]
        name = query.get(WEBHOOK_GROUP_PARAM) if len(hooks) > 1 else next(iter(hooks))
        if isinstance(name, list):
            name = name[0]
        entry = hooks.get(name)
        if entry is None:
            raise InvalidInputError(
                self._where(f"the webhook URL does not name one of this subscription's webhooks ({WEBHOOK_GROUP_PARAM})")
            )
        params = new["parameters"]
        methods = self.model.event(entry["types"][0]).methods
        inputs = {**request, "state": entry.get("state"), "parameters": params}
        out = await self._run(methods, "handle", inputs, params)
        out = out if isinstance(out, dict) else {}
        types = [t for t in entry["types"] if t in new["types"]]
        result: dict[str, Any] = {"events": await self._events(out.get("events"), types, params, f"webhook {name}")}
        if out.get("response") is not None:
            result["response"] = out["response"]
        if "state" in out:
            entry["state"] = out["state"]
        result["state"] = new
        return result

    async def unsubscribe(self, state: Mapping[str, Any]) -> None:
        """Undo the connector-side subscriptions (webhooks, custom pulls with unsubscribe)."""
        current = self._state(state)
        params = current["parameters"]
        for entry in (current.get("webhooks") or {}).values():
            methods = self.model.event(entry["types"][0]).methods
            if "unsubscribe" in methods:
                await self._run(methods, "unsubscribe", {"state": entry.get("state"), "parameters": params}, params)
        for entry in (current.get("customPull") or {}).values():
            methods = self.model.event(entry["types"][0]).methods
            if "unsubscribe" in methods:
                await self._run(methods, "unsubscribe", {"state": entry.get("state"), "parameters": params}, params)

    async def refresh(
        self,
        state: Mapping[str, Any],
        *,
        webhook_uri: str | None = None,
        now: float | None = None,
        force: bool = False,
    ) -> dict[str, Any]:
        """Refresh the webhooks that are due (all with force); the next state.

        `state["nextRefreshTimestamp"]` (epoch milliseconds, or absent) says when to call again.
        """
        new = self._state(state)
        now = time.time() if now is None else now
        hooks = new.get("webhooks") or {}
        uri_base = webhook_uri or new.get("webhookUri")
        if webhook_uri:
            new["webhookUri"] = webhook_uri
        params = new["parameters"]
        for name, entry in hooks.items():
            methods = self.model.event(entry["types"][0]).methods
            if "refresh" not in methods:
                continue
            due = parse_time(entry.get("nextRefreshTimestamp"))
            if not force and (due is None or due > now):
                continue
            uri = _with_group(uri_base, name, len(hooks))
            out = await self._run(
                methods, "refresh", {"state": entry.get("state"), "webhookUri": uri, "parameters": params}, params
            )
            out = out if isinstance(out, dict) else {}
            if "state" in out:
                entry["state"] = out["state"]
            entry["webhookUri"] = uri
            entry["nextRefreshTimestamp"] = out.get("nextRefreshTimestamp")
        self._set_next_refresh(new)
        return new

    @staticmethod
    def _set_next_refresh(state: dict[str, Any]) -> None:
        due = _next_refresh((state.get("webhooks") or {}).values())
        if due is None:
            state.pop("nextRefreshTimestamp", None)
        else:
            state["nextRefreshTimestamp"] = int(due * 1000)
