"""Data collection methods (SPEC 6.1) with the runtime's part of their semantics.

`DataCollection` wraps one collection for one connection and one call chain:
- parameters: the call's merged with the collection's (collection wins), defaults filled,
  validated against parametersSchema before anything runs;
- output normalised (records with string ids, `{records, cursor}`, `{record}`, `{id}`);
- `fieldsFromApi` applied to every record coming from the API (the original kept as
  `rawFields`), `fieldsToApi` to every field set going to it (create, update, match);
- create/update fields checked against the fields schema, with `customFields` merged in
  (fetched once per connection and parameters, cached in the dict the caller hands in).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, MutableMapping
from typing import Any

from runtime._elements._errors import InvalidOutputError
from runtime._elements._fields import merge_custom_fields, validate_write_fields
from runtime._elements._model import CollectionModel, Runner
from runtime._elements._pagination import iterate_pages
from runtime._elements._parameters import prepare_parameters
from runtime._elements._records import (
    normalize_id_output,
    normalize_page,
    normalize_record,
    normalize_record_output,
)
from runtime._elements._sync import Blocking, sync_twins
from runtime._errors import BadRequestError, InvalidInputError, NotSupportedError

__all__ = ["COLLECTION_METHODS", "DataCollection"]

#: Methods a host calls on a collection (the rest are helpers the runtime calls itself).
COLLECTION_METHODS = ("list", "findById", "match", "search", "create", "update", "delete", "customFields")


@sync_twins(
    "list", "search", "find_by_id", "match", "create", "update", "delete", "custom_fields", "fields_schema",
    "pages", "records", "call",
)
class DataCollection:
    """One collection of one connection; every method is async and returns plain JSON.

    Each host method has a blocking `<name>_sync` twin (`pages_sync`/`records_sync` iterate).
    """

    #: Runs the `*_sync` twins on the connection's loop (set by `bind_collection`).
    blocking: Blocking | None = None

    def __init__(
        self,
        model: CollectionModel,
        run: Runner,
        *,
        parameters: Mapping[str, Any] | None = None,
        schema_cache: MutableMapping[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.key = model.key
        self._run = run
        self._bound_parameters = dict(parameters or {})
        self._schema_cache: MutableMapping[str, Any] = schema_cache if schema_cache is not None else {}

    # -- plumbing ---------------------------------------------------------------------------

    def where(self, method: str) -> str:
        """`data/<key>/<method>`: how errors and logs name a method of this collection."""
        return f"data/{self.key}/{method}"

    def has(self, method: str) -> bool:
        """True when the connector implements `method` (not-supported methods count as absent)."""
        return method in self.model.methods

    def parameters(self, call_parameters: Mapping[str, Any] | None = None, *, method: str = "list") -> dict[str, Any]:
        """The parameters a method runs with: call < bound < collection's own (mixins); validated."""
        own: dict[str, Any] = {}
        if self.model.extend_parameters is not None:
            so_far = {**dict(call_parameters or {}), **self._bound_parameters, **dict(self.model.parameters)}
            own = self.model.extend_parameters(so_far)
        return prepare_parameters(
            self.model.parameters_schema,
            call_parameters,
            self._bound_parameters,
            self.model.parameters,
            own,
            where=self.where(method),
            resolvers=self.model.resolvers,
        )

    def supported(self, method: str) -> Any:
        """The method's handle, or NotSupportedError naming it (checked before any input is)."""
        handle = self.model.methods.get(method)
        if handle is None:
            raise NotSupportedError(f"{self.where(method)}: the connector does not support this method")
        return handle

    async def run_method(self, method: str, inputs: dict[str, Any], parameters: dict[str, Any]) -> Any:
        """Run a collection method by key, or raise NotSupportedError naming it."""
        return await self._run(self.supported(method), inputs, parameters)

    async def from_api(self, records: list[dict[str, Any]], parameters: dict[str, Any]) -> list[dict[str, Any]]:
        """Apply fieldsFromApi to normalised records (in parallel); originals kept as rawFields."""
        if not records or not self.has("fieldsFromApi"):
            return records

        async def convert(record: dict[str, Any]) -> dict[str, Any]:
            # A bare API object (no `fields`) is itself what came from the API.
            source = record["fields"] if "fields" in record else {k: v for k, v in record.items() if k != "rawFields"}
            out = await self.run_method("fieldsFromApi", {"fields": source}, parameters)
            if out is None:
                out = {}
            if not isinstance(out, dict):
                raise InvalidOutputError(f"{self.where('fieldsFromApi')}: must return an object of fields")
            converted = dict(record)
            converted.setdefault("rawFields", source)
            converted["fields"] = out
            return converted

        return list(await asyncio.gather(*(convert(r) for r in records)))

    async def to_api(self, fields: Mapping[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
        """Apply fieldsToApi to a field set going to the API (unchanged without the method)."""
        if not self.has("fieldsToApi"):
            return dict(fields)
        out = await self.run_method("fieldsToApi", {"fields": dict(fields)}, parameters)
        if out is None:
            out = {}
        if not isinstance(out, dict):
            raise InvalidOutputError(f"{self.where('fieldsToApi')}: must return an object of fields")
        return out

    async def record_from_api(self, raw: Any, parameters: dict[str, Any], *, where: str) -> dict[str, Any]:
        """Normalise one raw record and apply fieldsFromApi to it."""
        (record,) = await self.from_api([normalize_record(raw, where=where)], parameters)
        return record

    # -- schema -----------------------------------------------------------------------------

    async def fields_schema(self, parameters: Mapping[str, Any] | None = None, *, refresh: bool = False) -> dict[str, Any]:
        """The collection's fields schema for this connection, customFields merged in.

        customFields is asked once per connection and parameters; `refresh=True` asks again
        (e.g. after the user added a custom field in the API's UI).
        """
        params = self.parameters(parameters, method="customFields")
        if not self.has("customFields"):
            return merge_custom_fields(self.model.fields_schema, None)
        cache_key = f"{self.key}\n{json.dumps(params, sort_keys=True, default=str)}"
        cached = None if refresh else self._schema_cache.get(cache_key)
        if cached is None:
            custom = await self.run_method("customFields", {}, params)
            if custom is not None and not isinstance(custom, dict):
                raise InvalidOutputError(f"{self.where('customFields')}: must return a fields schema object")
            cached = merge_custom_fields(self.model.fields_schema, custom)
            self._schema_cache[cache_key] = cached
        return cached

    # -- the methods of SPEC 6.1 --------------------------------------------------------------

    async def list(self, cursor: Any = None, filter: Any = None, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One page: `{records, cursor?}` (no cursor on the last page)."""
        params = self.parameters(parameters, method="list")
        return await self._page("list", {"cursor": cursor, "filter": filter}, params)

    async def search(self, query: Any, cursor: Any = None, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One page of search results: `{records, cursor?}`."""
        params = self.parameters(parameters, method="search")
        return await self._page("search", {"query": query, "cursor": cursor}, params)

    async def _page(self, method: str, inputs: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        raw = await self.run_method(method, inputs, params)
        page = normalize_page(raw, where=self.where(method))
        page["records"] = await self.from_api(page["records"], params)
        return page

    async def find_by_id(self, id: Any, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """`{record}` for the id (the connector raises not_found when there is none)."""
        self.supported("findById")
        _require(id, "id", self.where("findById"))
        params = self.parameters(parameters, method="findById")
        raw = await self.run_method("findById", {"id": id}, params)
        out = normalize_record_output(raw, where=self.where("findById"), required=False)
        if not out:
            raise BadRequestError(f"{self.where('findById')}: no record with this id", key="not_found")
        out["record"] = (await self.from_api([out["record"]], params))[0]
        return out

    async def match(self, query: Mapping[str, Any], parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """`{record}` of the record matching the fields in `query`, or `{}` when none does."""
        self.supported("match")
        if not isinstance(query, Mapping):
            raise InvalidInputError(f"{self.where('match')}: query must be an object of fields")
        params = self.parameters(parameters, method="match")
        api_query = await self.to_api(query, params)
        raw = await self.run_method("match", {"query": api_query, "fields": api_query}, params)
        out = normalize_record_output(raw, where=self.where("match"), required=False)
        if out:
            out["record"] = (await self.from_api([out["record"]], params))[0]
        return out

    async def create(self, fields: Mapping[str, Any], parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Create a record from `fields` (checked against the fields schema); `{id}`."""
        self.supported("create")
        params = self.parameters(parameters, method="create")
        schema = await self.fields_schema(parameters)
        validate_write_fields(schema, fields, creating=True, where=self.where("create"), resolvers=self.model.resolvers)
        api_fields = await self.to_api(fields, params)
        raw = await self.run_method("create", {"fields": api_fields}, params)
        return normalize_id_output(raw, where=self.where("create"))

    async def update(self, id: Any, fields: Mapping[str, Any], parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Update the record `id` with `fields` (checked, readOnly refused); `{id}`."""
        self.supported("update")
        _require(id, "id", self.where("update"))
        params = self.parameters(parameters, method="update")
        schema = await self.fields_schema(parameters)
        validate_write_fields(schema, fields, creating=False, where=self.where("update"), resolvers=self.model.resolvers)
        api_fields = await self.to_api(fields, params)
        raw = await self.run_method("update", {"id": id, "fields": api_fields}, params)
        return normalize_id_output(raw, where=self.where("update"), fallback_id=str(id))

    async def delete(self, id: Any, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Delete the record `id`; `{}`."""
        self.supported("delete")
        _require(id, "id", self.where("delete"))
        params = self.parameters(parameters, method="delete")
        await self.run_method("delete", {"id": id}, params)
        return {}

    async def custom_fields(self, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The connection's extra fields schema (`{}` when the connector has none)."""
        params = self.parameters(parameters, method="customFields")
        if not self.has("customFields"):
            return {}
        out = await self.run_method("customFields", {}, params)
        return out if isinstance(out, dict) else {}

    # -- walking every page ---------------------------------------------------------------

    async def pages(
        self,
        *,
        search: Any = None,
        filter: Any = None,
        cursor: Any = None,
        parameters: Mapping[str, Any] | None = None,
        max_pages: int | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every page of `list` (or of `search` when `search` is given), to the last one.

        Raises RepeatingCursorError if the connector returns a cursor it already returned.
        """
        if search is not None:
            fetch = lambda c: self.search(search, cursor=c, parameters=parameters)  # noqa: E731
            where = self.where("search")
        else:
            fetch = lambda c: self.list(cursor=c, filter=filter, parameters=parameters)  # noqa: E731
            where = self.where("list")
        async for page in iterate_pages(fetch, cursor=cursor, max_pages=max_pages, where=where):
            yield page

    async def records(self, **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
        """Every record of every page (same keyword arguments as `pages`)."""
        async for page in self.pages(**kwargs):
            for record in page["records"]:
                yield record

    # -- generic entry point (the core's dispatch) ------------------------------------------------

    async def call(self, method: str, input: Mapping[str, Any] | None) -> Any:
        """Run `method` with a host's input dict, as `connection.call("data/<key>/<method>")` does."""
        data = dict(input or {})
        params = data.get("parameters")
        if params is not None and not isinstance(params, Mapping):
            raise InvalidInputError(f"{self.where(method)}: parameters must be an object")
        if method == "list":
            return await self.list(cursor=data.get("cursor"), filter=data.get("filter"), parameters=params)
        if method == "search":
            return await self.search(data.get("query"), cursor=data.get("cursor"), parameters=params)
        if method == "findById":
            return await self.find_by_id(data.get("id"), parameters=params)
        if method == "match":
            query = data.get("query", data.get("fields"))
            return await self.match(query if query is not None else {}, parameters=params)
        if method == "create":
            return await self.create(_fields(data), parameters=params)
        if method == "update":
            return await self.update(data.get("id"), _fields(data), parameters=params)
        if method == "delete":
            return await self.delete(data.get("id"), parameters=params)
        if method == "customFields":
            return await self.custom_fields(parameters=params)
        if method == "fieldsSchema":  # the runtime's own: fieldsSchema with customFields merged
            return await self.fields_schema(params, refresh=bool(data.get("refresh")))
        if method in ("fieldsFromApi", "fieldsToApi"):
            fields = data.get("fields") or {}
            merged = self.parameters(params, method=method)
            if method == "fieldsToApi":
                return await self.to_api(fields, merged)
            out = await self.run_method(method, {"fields": fields}, merged)
            return out
        # Any other method (pullLatestRecords, helpers): run as is, with merged parameters.
        merged = self.parameters(params, method=method)
        data.pop("parameters", None)
        return await self.run_method(method, data, merged)


def _fields(data: Mapping[str, Any]) -> Any:
    """The `fields` input; absent or null is no fields, anything else is checked as given."""
    fields = data.get("fields")
    return {} if fields is None else fields


def _require(value: Any, name: str, where: str) -> None:
    if value is None or value == "":
        raise InvalidInputError(f"{where}: input `{name}` is required")
