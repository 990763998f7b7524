"""Every collection method in each implementation type, against the loopback CRM."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from runtime._elements import InvalidFieldsError, InvalidParametersError, RepeatingCursorError, collection
from runtime._errors import BadRequestError
from tests.elements._crm import Crm


def arun(coro: Any) -> Any:
    return asyncio.run(coro)


def seed_contacts(crm: Crm, n: int) -> list[dict[str, Any]]:
    return [crm.add("contacts", first_name=f"F{i}", last_name=f"L{i}", email=f"c{i}@x.io") for i in range(n)]


def test_javascript_collection_every_method_through_connection_call(crm: Crm, connect: Any) -> None:
    seeded = seed_contacts(crm, 3)

    async def scenario() -> dict[str, Any]:
        async with connect() as conn:
            out: dict[str, Any] = {}
            out["list"] = (await conn.call("data/contacts/list", {})).output
            out["page2"] = (await conn.call("data/contacts/list", {"cursor": out["list"]["cursor"]})).output
            out["find"] = (await conn.call("data/contacts/find-by-id", {"id": str(seeded[1]["id"])})).output
            out["match"] = (await conn.call("data/contacts/match", {"query": {"email": "c2@x.io"}})).output
            out["nomatch"] = (await conn.call("data/contacts/match", {"query": {"email": "zz@x.io"}})).output
            out["search"] = (await conn.call("data/contacts/search", {"query": "c1@"})).output
            created = await conn.call("data/contacts/create", {"fields": {"firstName": "Ada", "email": "ada@x.io", "cf_score": 7}})
            out["create"], out["create_logs"] = created.output, created.logs
            out["update"] = (await conn.call("data/contacts/update", {"id": out["create"]["id"], "fields": {"lastName": "Lovelace"}})).output
            out["delete"] = (await conn.call("data/contacts/delete", {"id": str(seeded[0]["id"])})).output
            return out

    out = arun(scenario())
    first = out["list"]["records"][0]
    assert first["id"] == str(seeded[0]["id"]) and first["name"] == "F0 L0"
    assert first["fields"] == {"firstName": "F0", "lastName": "L0", "email": "c0@x.io", "createdAt": seeded[0]["created_at"]}
    assert first["rawFields"]["first_name"] == "F0"  # fieldsFromApi applied, the original kept
    assert out["list"]["cursor"] == "c2" and "cursor" not in out["page2"]
    assert [r["id"] for r in out["page2"]["records"]] == [str(seeded[2]["id"])]
    assert out["find"]["record"]["uri"] == f"https://crm.example/c/{seeded[1]['id']}"
    assert out["find"]["record"]["fields"]["email"] == "c1@x.io"
    assert out["match"]["record"]["id"] == str(seeded[2]["id"]) and out["nomatch"] == {}
    assert [r["fields"]["email"] for r in out["search"]["records"]] == ["c1@x.io"]
    new_id = out["create"]["id"]
    assert isinstance(new_id, str) and {"level": "log", "message": f"created contact {new_id}"} in out["create_logs"]
    # fieldsToApi renamed the fields on the wire; the update kept the given id
    assert crm.requests_to("/crm/contacts")[-1].json() == {"first_name": "Ada", "email": "ada@x.io", "cf_score": 7}
    assert crm.requests_to(f"/crm/contacts/{new_id}")[-1].json() == {"last_name": "Lovelace"}
    assert out["update"] == {"id": new_id} and out["delete"] == {}
    assert str(seeded[0]["id"]) not in crm.data["contacts"]
    assert crm.data["contacts"][new_id]["last_name"] == "Lovelace"


def test_field_validation_uses_custom_fields_and_refuses_read_only(crm: Crm, connect: Any) -> None:
    async def scenario() -> list[Any]:
        async with connect() as conn:
            contacts = collection(conn, "contacts")
            errors = []
            for fields in ({"email": "a@x", "cf_score": "high"}, {"email": "a@x", "id": "1", "createdAt": "x"}, {"firstName": "no email"}):
                with pytest.raises(InvalidFieldsError) as info:
                    await contacts.create(fields)
                errors.append(info.value.data["errors"])
            with pytest.raises(InvalidFieldsError) as info:
                await contacts.update("1", {"firstName": 5})
            errors.append(info.value.data["errors"])
            return errors

    errors = arun(scenario())
    assert errors == [
        [{"field": "cf_score", "message": "is a string, expected integer"}],
        [{"field": "id", "message": "is read-only"}, {"field": "createdAt", "message": "is read-only"}],
        [{"field": "email", "message": "is required"}],
        [{"field": "firstName", "message": "is an integer, expected string"}],
    ]
    assert len(crm.requests_to("/crm/properties")) == 1  # customFields fetched once per connection
    assert crm.requests_to("/crm/contacts") == []  # nothing was written


def test_rest_mapping_collection_every_method(crm: Crm, connect: Any) -> None:
    acme = crm.add("companies", name="Acme", domain="acme.io")
    crm.add("companies", name="Globex", domain="globex.io")

    async def scenario() -> dict[str, Any]:
        async with connect() as conn:
            call = conn.call
            return {
                "list": (await call("data/companies/list", {})).output,
                "find": (await call("data/companies/findById", {"id": acme["id"]})).output,
                "match": (await call("data/companies/match", {"query": {"domain": "globex.io"}})).output,
                "search": (await call("data/companies/search", {"query": "acme"})).output,
                "create": (await call("data/companies/create", {"fields": {"name": "Initech", "employees": 30}})).output,
                "update": (await call("data/companies/update", {"id": acme["id"], "fields": {"employees": 5}})).output,
                "delete": (await call("data/companies/delete", {"id": acme["id"]})).output,
            }

    out = arun(scenario())
    assert [r["name"] for r in out["list"]["records"]] == ["Acme", "Globex"] and "cursor" not in out["list"]
    assert out["list"]["records"][0]["id"] == str(acme["id"]) and out["list"]["records"][0]["createdTime"] == acme["created_at"]
    assert out["find"] == {"record": {"id": str(acme["id"]), "name": "Acme", "fields": acme}}
    assert out["match"]["record"]["domain"] == "globex.io" and "fields" not in out["match"]["record"]
    assert [r["name"] for r in out["search"]["records"]] == ["Acme"]
    assert out["create"]["id"].isdigit() and out["update"] == {"id": str(acme["id"])} and out["delete"] == {}
    assert [r.method for r in crm.requests_to(f"/crm/companies/{acme['id']}")] == ["GET", "PATCH", "DELETE"]


def test_mapping_and_operation_mapping_collections(crm: Crm, connect: Any) -> None:
    crm.add("tasks", title="write tests")

    async def scenario() -> dict[str, Any]:
        async with connect() as conn:
            call = conn.call
            return {
                "list": (await call("data/statuses/list", {})).output,
                "find": (await call("data/statuses/find-by-id", {"id": 2})).output,
                "match": (await call("data/statuses/match", {"query": {"label": "Open"}})).output,
                "nomatch": (await call("data/statuses/match", {"query": {"label": "Nope"}})).output,
                "create": (await call("data/statuses/create", {"fields": {"label": "Blocked"}})).output,
                "update": (await call("data/statuses/update", {"id": 3, "fields": {}})).output,
                "delete": (await call("data/statuses/delete", {"id": 3})).output,
                "notes": (await call("data/notes/list", {})).output,
                "note": (await call("data/notes/create", {"fields": {"text": "n@x.io"}})).output,
            }

    out = arun(scenario())
    assert out["list"] == {"records": [{"id": "1", "name": "Open", "fields": {"label": "Open"}}, {"id": "2", "name": "Closed", "fields": {"label": "Closed"}}]}
    assert out["find"] == {"record": {"id": "2", "name": "Status 2"}}
    assert out["match"]["record"]["id"] == "1" and out["nomatch"] == {}
    assert out["create"] == {"id": "status-Blocked"} and out["update"] == {"id": "3"} and out["delete"] == {}
    assert [r["name"] for r in out["notes"]["records"]] == ["write tests"]
    assert out["note"]["id"].isdigit() and crm.data["contacts"][out["note"]["id"]]["email"] == "n@x.io"


def test_graphql_mapping_collection(crm: Crm, connect: Any) -> None:
    for title in ("a", "b", "c"):
        crm.add("tasks", title=title)

    async def scenario() -> Any:
        async with connect() as conn:
            pages = [p async for p in collection(conn, "gql-tasks").pages()]
            created = (await conn.call("data/gql-tasks/create", {"fields": {"title": "d"}})).output
            found = (await conn.call("data/gql-tasks/find-by-id", {"id": created["id"]})).output
            with pytest.raises(InvalidFieldsError):
                await conn.call("data/gql-tasks/create", {"fields": {"title": 5}})
            return pages, created, found

    pages, created, found = arun(scenario())
    assert [[r["name"] for r in p["records"]] for p in pages] == [["a", "b"], ["c"]]
    assert pages[0]["records"][0]["id"] == str(crm.data["tasks"]["101"]["id"]) and pages[0]["cursor"] == "2"
    assert found == {"record": {"id": created["id"], "name": "d"}}
    assert crm.requests_to("/")[-1].json()["variables"] == {"id": created["id"]}


def test_mixin_parameters_reach_the_api_and_are_validated(crm: Crm, connect: Any) -> None:
    crm.add("tasks", title="a")
    crm.add("tasks", title="b")
    crm.add("tasks", title="c")

    async def scenario() -> Any:
        async with connect() as conn:
            page = (await conn.call("data/tasks/list", {"parameters": {"path": "contacts"}})).output
            found = (await conn.call("data/tasks/find-by-id", {"id": page["records"][0]["id"]})).output
            return page, found

    page, found = arun(scenario())
    assert [r["name"] for r in page["records"]] == ["a", "b"] and page["cursor"] == "c2"
    assert found["record"]["name"] == "a"
    # the collection's own `path: tasks` won over the call's, and the schema default filled limit
    assert crm.requests_to("/crm/tasks")[0].query == {"limit": "2"}
    assert crm.requests_to("/crm/contacts") == []

    async def bad() -> None:
        async with connect() as conn:
            await collection(conn, "tasks").list(parameters={"limit": "many"})

    with pytest.raises(InvalidParametersError, match="parameters.limit"):
        arun(bad())


def test_pages_to_the_end_through_empty_pages_and_a_repeating_cursor_stops(crm: Crm, connect: Any) -> None:
    seed_contacts(crm, 5)
    crm.empty_pages = True

    async def walk(search: str | None = None) -> list[list[str]]:
        async with connect() as conn:
            return [[r["id"] for r in p["records"]] async for p in collection(conn, "contacts").pages(search=search)]

    pages = arun(walk())
    assert [len(p) for p in pages] == [0, 2, 0, 2, 0, 1]
    assert len({i for p in pages for i in p}) == 5
    crm.empty_pages = False
    crm.repeat_cursor = True
    crm.requests.clear()
    with pytest.raises(RepeatingCursorError) as info:
        arun(walk())
    assert len(crm.requests_to("/crm/contacts")) == 2  # c2 fetched once, then refused
    assert info.value.to_dict()["key"] == "repeating_cursor"


def test_empty_collection_and_not_found(crm: Crm, connect: Any) -> None:
    async def scenario() -> Any:
        async with connect() as conn:
            empty = (await conn.call("data/companies/list", {})).output
            with pytest.raises(BadRequestError) as info:
                await conn.call("data/contacts/find-by-id", {"id": "999"})
            return empty, info.value

    empty, err = arun(scenario())
    assert empty == {"records": []}
    assert err.status == 404
