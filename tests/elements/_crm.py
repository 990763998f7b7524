"""A loopback CRM for the element integration tests, plus its webhook sender.

Built on the project's fake API server (`tests.fakeapi._server.FakeApi`: real HTTP on
127.0.0.1, every request recorded) with `/crm/...` routes that need path parameters
(`/crm/contacts/12`), which the shared route table (exact paths) cannot express.

    GET    /crm/<res>?cursor=&limit=      {data, next}      res: contacts, companies, tasks
    GET    /crm/<res>/recent?cursor=      newest first by updated_at (pull-latest-records)
    POST   /crm/<res>/search              {q, cursor} -> {data, next}
    GET    /crm/<res>/match?email=|domain= {data}
    GET    /crm/<res>/<id>                one record, 404 {error: not_found}
    POST   /crm/<res>                     201 {id}
    PATCH  /crm/<res>/<id>                {id}
    DELETE /crm/<res>/<id>                204
    GET    /crm/<res>/changes?since=      {events: [{seq, type, record}], last}  (custom-pull feed)
    GET    /crm/properties                custom fields schema
    POST   /                              GraphQL {query, variables}: `tasks(cursor)`, `task(id)`, `createTask(title)`
    POST   /crm/webhooks                  {url, resource} -> {id, secret, expiresAt}
    POST   /crm/webhooks/<id>/renew       {expiresAt}
    DELETE /crm/webhooks/<id>             204
    *      /host/...                      200: the "host app" receiving webhooks (recorded)

Knobs: `repeat_cursor` (list answers the same next cursor forever), `empty_pages` (an empty
page with a cursor before every real page). Every request must carry X-Api-Key: crm-key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from tests.fakeapi._server import FakeApi, RecordedRequest, Reply

API_KEY = "crm-key"
RESOURCES = ("contacts", "companies", "tasks")
_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


class Crm(FakeApi):
    """The CRM server (start/stop like FakeApi)."""

    def reset(self) -> None:
        super().reset()
        self.data: dict[str, dict[str, dict[str, Any]]] = {r: {} for r in RESOURCES}
        self.feed: dict[str, list[dict[str, Any]]] = {r: [] for r in RESOURCES}
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.next_id = 100
        self.seconds = 0
        self.page_size = 2
        self.repeat_cursor = False
        self.empty_pages = False
        self.crm_lock = threading.RLock()

    # -- data -------------------------------------------------------------------------------
    def _now(self) -> str:
        self.seconds += 1
        return (_EPOCH + timedelta(seconds=self.seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def add(self, resource: str, **fields: Any) -> dict[str, Any]:
        """Create a record directly (as another user of the CRM would), logged in the feed."""
        with self.crm_lock:
            self.next_id += 1
            now = self._now()
            rec = {"id": self.next_id, **fields, "created_at": now, "updated_at": now}
            self.data[resource][str(self.next_id)] = rec
            self._log(resource, "created", rec)
            return dict(rec)

    def change(self, resource: str, rid: Any, *, touch: bool = True, **fields: Any) -> dict[str, Any]:
        with self.crm_lock:
            rec = self.data[resource][str(rid)]
            rec.update(fields)
            if touch:
                rec["updated_at"] = self._now()
                self._log(resource, "updated", rec)
            return dict(rec)

    def remove(self, resource: str, rid: Any) -> None:
        with self.crm_lock:
            rec = self.data[resource].pop(str(rid))
            self._log(resource, "deleted", rec)

    def _log(self, resource: str, type_: str, rec: dict[str, Any]) -> None:
        self.feed[resource].append({"seq": len(self.feed[resource]) + 1, "type": type_, "record": dict(rec)})

    # -- webhooks ---------------------------------------------------------------------------
    def send_webhook(self, resource: str, events: list[dict[str, Any]], *, tamper: bool = False) -> list[int]:
        """POST signed events to every webhook registered for `resource`; the statuses."""
        statuses = []
        for hook in list(self.webhooks.values()):
            if hook["resource"] != resource:
                continue
            body = json.dumps({"events": events}).encode()
            signature = hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
            if tamper:  # the body changes after signing, as an attacker's would
                body = json.dumps({"events": events, "tampered": True}).encode()
            response = httpx.post(hook["url"], content=body, headers={
                "Content-Type": "application/json", "X-Crm-Signature": f"sha256={signature}",
            })
            statuses.append(response.status_code)
        return statuses

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: RecordedRequest) -> Reply:
        parts = [p for p in request.path.split("/") if p]
        if parts[:1] == ["host"]:
            with self.lock:
                self.requests.append(request)
            return Reply.json({"ok": True})
        graphql = not parts and request.method == "POST"  # graphql-api-mapping posts to the base URI
        if parts[:1] != ["crm"] and not graphql:
            return super().handle(request)
        with self.lock:
            self.requests.append(request)
        if request.headers.get("x-api-key") != API_KEY:
            return Reply.json({"error": "not_authenticated"}, 403)
        try:
            with self.crm_lock:
                return self._crm(request, parts[1:])
        except Exception as exc:  # a bug here must show in the test, not hang it
            return Reply.json({"error": "crm_crashed", "message": repr(exc)}, 599)

    def _page(self, records: list[dict[str, Any]], cursor: str | None) -> Reply:
        start = int(cursor[1:]) if cursor else 0
        if self.empty_pages and cursor and cursor.startswith("e"):
            return Reply.json({"data": [], "next": "c" + cursor[1:]})
        if self.empty_pages and not cursor:
            return Reply.json({"data": [], "next": "c0"})
        chunk = records[start : start + self.page_size]
        end = start + self.page_size
        nxt = None
        if self.repeat_cursor:
            nxt = "c2"
        elif end < len(records):
            nxt = ("e" if self.empty_pages else "c") + str(end)
        return Reply.json({"data": chunk, "next": nxt})

    def _crm(self, req: RecordedRequest, parts: list[str]) -> Reply:
        m = req.method
        if parts == ["properties"]:
            return Reply.json({"properties": {"cf_score": {"type": "integer", "title": "Score"}}})
        if parts[:1] == ["webhooks"]:
            return self._webhooks(req, parts[1:])
        if not parts:
            return self._graphql(req.json() or {})
        res = parts[0] if parts else ""
        if res not in self.data:
            return Reply.json({"error": "not_found"}, 404)
        store = self.data[res]
        ordered = sorted(store.values(), key=lambda r: r["id"])
        rest = parts[1:]
        if not rest and m == "GET":
            return self._page(ordered, req.query.get("cursor"))
        if not rest and m == "POST":
            body = req.json() or {}
            if "id" in body:
                return Reply.json({"error": "id is read-only"}, 400)
            rec = self.add(res, **body)
            return Reply.json({"id": rec["id"]}, 201)
        if rest == ["recent"]:
            newest = sorted(store.values(), key=lambda r: (r["updated_at"], r["id"]), reverse=True)
            return self._page(newest, req.query.get("cursor"))
        if rest == ["search"]:
            body = req.json() or {}
            q = str(body.get("q") or "").lower()
            found = [r for r in ordered if any(q in str(v).lower() for v in r.values())]
            return self._page(found, body.get("cursor"))
        if rest == ["match"]:
            found = [r for r in ordered if all(str(r.get(k)) == v for k, v in req.query.items())]
            return Reply.json({"data": found[:1]})
        if rest == ["changes"]:
            since = int(req.query.get("since") or 0)
            feed = self.feed[res]
            return Reply.json({"events": [e for e in feed if e["seq"] > since][:3], "last": min(len(feed), since + 3)})
        if rest == ["changes", "latest"]:
            return Reply.json({"seq": len(self.feed[res])})
        rid = rest[0]
        if rid not in store:
            return Reply.json({"error": "not_found", "message": f"no {res} {rid}"}, 404)
        if m == "GET":
            return Reply.json(store[rid])
        if m == "PATCH":
            self.change(res, rid, **(req.json() or {}))
            return Reply.json({"id": int(rid)})
        if m == "DELETE":
            self.remove(res, rid)
            return Reply(204)
        return Reply.json({"error": "method_not_allowed"}, 405)

    def _graphql(self, body: dict[str, Any]) -> Reply:
        """A toy GraphQL endpoint: picks the operation by the field the query asks for."""
        query, variables = str(body.get("query") or ""), body.get("variables") or {}
        tasks = self.data["tasks"]
        if "createTask(" in query:
            rec = self.add("tasks", title=variables["title"])
            return Reply.json({"data": {"createTask": {"id": str(rec["id"])}}})
        if "task(" in query:
            rec = tasks.get(str(variables.get("id")))
            return Reply.json({"data": {"task": rec}} if rec else {"data": {"task": None}, "errors": [{"message": "not found"}]})
        if "tasks(" in query:
            start = int(variables.get("cursor") or 0)
            ordered = sorted(tasks.values(), key=lambda r: r["id"])
            chunk, end = ordered[start : start + self.page_size], start + self.page_size
            return Reply.json({"data": {"tasks": {"nodes": chunk, "next": str(end) if end < len(ordered) else None}}})
        return Reply.json({"errors": [{"message": "unknown query"}]}, 400)

    def _webhooks(self, req: RecordedRequest, rest: list[str]) -> Reply:
        expires = int((_EPOCH + timedelta(days=7)).timestamp() * 1000)
        if not rest and req.method == "POST":
            body = req.json() or {}
            hid = f"wh{len(self.webhooks) + 1}"
            self.webhooks[hid] = {"url": body["url"], "resource": body["resource"], "secret": f"secret-{hid}"}
            return Reply.json({"id": hid, "secret": f"secret-{hid}", "expiresAt": expires})
        hid = rest[0]
        if hid not in self.webhooks:
            return Reply.json({"error": "not_found"}, 404)
        if rest[1:] == ["renew"]:
            return Reply.json({"expiresAt": expires + 86_400_000})
        if req.method == "DELETE":
            del self.webhooks[hid]
            return Reply(204)
        return Reply.json({"error": "method_not_allowed"}, 405)
