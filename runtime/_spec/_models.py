"""Pydantic models of a connector's spec files (SPEC sections 1, 3, 6, 7, 8).

Why models at all: they give every consumer (loader, core, inspect) one typed view of what a
connector declares, and they turn shape mistakes (a list where an object belongs) into errors
that name the file and the field. They are deliberately lenient about *unknown* keys
(`extra="allow"`): real connectors carry many platform fields this runtime does not use, and a
spec must not be rejected for them. Values that need a custom message (an unknown
`implementationType`) are plain strings here and are checked by the loader.

YAML keys are camelCase; attributes are snake_case with camelCase aliases, and both spellings
are accepted on input.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

__all__ = [
    "AUTH_METHOD_KEYS",
    "AUTH_TYPES",
    "COLLECTION_EVENT_STRATEGIES",
    "COLLECTION_EVENT_TYPES",
    "COLLECTION_METHOD_KEYS",
    "EVENT_IMPLEMENTATION_TYPES",
    "EVENT_METHOD_KEYS",
    "GLOBAL_WEBHOOK_METHOD_KEYS",
    "IMPLEMENTATION_TYPES",
    "OPERATION_METHOD_KEYS",
    "AuthSpec",
    "AuthUi",
    "CollectionEventSpec",
    "CollectionSpec",
    "ConnectorSpec",
    "EventSpec",
    "ExtendsSpec",
    "GlobalWebhookSpec",
    "MethodKind",
    "MethodSpec",
    "OperationSpec",
]

#: implementationType values of SPEC 1.1 (the type and the tuple of its values).
MethodKind = Literal[
    "javascript",
    "mapping",
    "rest-api-mapping",
    "graphql-api-mapping",
    "operation-mapping",
    "not-supported",
]
IMPLEMENTATION_TYPES: tuple[str, ...] = get_args(MethodKind)

#: auth `type` values (SPEC 3; `membrane-token` is the newer name of integration-app-token).
AUTH_TYPES: tuple[str, ...] = (
    "client-credentials",
    "oauth2",
    "oauth1",
    "proxy",
    "integration-app-token",
    "membrane-token",
)

#: Methods that may sit directly under `auth:` (SPEC 3, 3.2, 3.3).
AUTH_METHOD_KEYS: tuple[str, ...] = (
    "makeApiClient",
    "getCredentialsFromConnectionParameters",
    "refreshCredentials",
    "test",
    "disconnect",
    "getOAuthConfig",
    "getTokenData",
    "getCredentialsFromAccessTokenResponse",
    "getCredentialsFromTokenResponse",
    "getCredentialsFromRefreshTokenResponse",
)

#: Data collection methods (SPEC 6.1); files named after them are discovered without a spec entry.
COLLECTION_METHOD_KEYS: tuple[str, ...] = (
    "list",
    "findById",
    "match",
    "search",
    "create",
    "update",
    "delete",
    "customFields",
    "fieldsFromApi",
    "fieldsToApi",
)

COLLECTION_EVENT_TYPES: tuple[str, ...] = ("created", "updated", "deleted")

#: Change-event strategies (SPEC 6.4) and the methods each one uses: (required, optional).
COLLECTION_EVENT_STRATEGIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "webhook": (("subscribe", "handle"), ("unsubscribe", "refresh")),
    "pull-latest-records": (("pullLatestRecords",), ()),
    "custom-pull": (("subscribe", "pull"), ("unsubscribe",)),
    "full-scan": ((), ()),
}

OPERATION_METHOD_KEYS: tuple[str, ...] = ("run",)
EVENT_IMPLEMENTATION_TYPES: tuple[str, ...] = ("webhook", "global-webhook")
#: Connector-level event methods per implementationType (SPEC 8): (required, optional).
EVENT_METHOD_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "webhook": (("subscribe", "handle"), ("unsubscribe", "refresh")),
    "global-webhook": (("getEventSelector",), ("subscribe", "unsubscribe", "handle")),
}
GLOBAL_WEBHOOK_METHOD_KEYS: tuple[str, ...] = ("handle",)


class _Model(BaseModel):
    """Common configuration: camelCase aliases, snake_case attributes, unknown keys kept."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        frozen=False,
    )


class MethodSpec(_Model):
    """One method entry: `{implementationType, filePath?, mapping?, code?}`.

    `implementationType` is a plain string so the loader can report an unknown one as
    `unknown type 'rest'` with the file and field, instead of pydantic's enum message.
    """

    implementation_type: str | None = None
    file_path: str | None = None
    mapping: Any = None
    code: str | None = None


class AuthUi(_Model):
    """`auth.ui`: the connection form (`schema`) and a help link."""

    input_schema: dict[str, Any] | None = Field(default=None, alias="schema")
    help_uri: str | None = None
    description: str | None = None


class AuthSpec(_Model):
    """`auth:` of spec.yml, or one entry of `auth.options` (a partial auth spec).

    Auth methods sit directly under `auth:` (SPEC 3); they are kept as extra keys and read by
    the loader through `method_entries()`.
    """

    type: str | None = None
    title: str | None = None
    description: str | None = None
    ui: AuthUi | None = None
    input_schema: dict[str, Any] | None = None
    custom_credentials_schema: dict[str, Any] | None = None
    proxy_key: str | None = None
    options: dict[str, AuthSpec] | None = None

    def connection_input_schema(self) -> dict[str, Any] | None:
        """The user-input schema: `inputSchema` (newer SDK name) or `ui.schema`."""
        if self.input_schema is not None:
            return self.input_schema
        return self.ui.input_schema if self.ui is not None else None

    def method_entries(self) -> dict[str, Any]:
        """Raw entries of the auth methods declared here (known keys only)."""
        extra = self.model_extra or {}
        return {k: extra[k] for k in AUTH_METHOD_KEYS if k in extra}


class ExtendsSpec(_Model):
    """`extends: {path, parameters}`: a mixin folder and parameters it adds (may be formulas)."""

    path: str
    parameters: dict[str, Any] | None = None


class CollectionEventSpec(_Model):
    """One change-event type of a collection (SPEC 6.4).

    `method` is accepted as an older spelling of `implementationType` (seen in real connectors'
    `events.yml`).
    """

    implementation_type: str | None = None
    method: str | None = None
    ignored_fields: list[str] | None = None
    methods: dict[str, Any] | None = None

    @property
    def strategy(self) -> str:
        return self.implementation_type or self.method or "full-scan"


class CollectionSpec(_Model):
    """`data/<key>/spec.yml` (SPEC 6)."""

    name: str | None = None
    type: str | None = None
    parameters_schema: dict[str, Any] | None = None
    fields_schema: dict[str, Any] | None = None
    custom_fields: bool | None = None
    methods: dict[str, Any] | None = None
    events: dict[str, CollectionEventSpec] | None = None
    extends: ExtendsSpec | None = None

    @field_validator("extends", mode="before")
    @classmethod
    def _extends_string(cls, value: Any) -> Any:
        # `extends: _object` is the short form of `extends: {path: _object}`.
        return {"path": value} if isinstance(value, str) else value


class OperationSpec(_Model):
    """`operations/<key>/spec.yml` (SPEC 7)."""

    name: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None
    parameters_schema: dict[str, Any] | None = None
    methods: dict[str, Any] | None = None


class EventSpec(_Model):
    """`events/<key>/spec.yml`: a connector-level event (SPEC 8)."""

    name: str | None = None
    implementation_type: str | None = None
    parameters_schema: dict[str, Any] | None = None
    payload_schema: dict[str, Any] | None = Field(default=None, alias="schema")
    methods: dict[str, Any] | None = None


class GlobalWebhookSpec(_Model):
    """`global-webhooks/<key>/spec.yml` (SPEC 8)."""

    name: str | None = None
    methods: dict[str, Any] | None = None


class ConnectorSpec(_Model):
    """The connector's top-level `spec.yml`.

    `data`, `operations`, `events` and `globalWebhooks` may list elements inline (a mapping of
    key to spec, or a list of keys / `{key, ...}` objects); the loader merges them with the
    folders it discovers.
    """

    key: str | None = None
    name: str | None = None
    logo_uri: str | None = None
    parameters_schema: dict[str, Any] | None = None
    auth: AuthSpec | None = None
    data: dict[str, Any] | list[Any] | None = None
    operations: dict[str, Any] | list[Any] | None = None
    events: dict[str, Any] | list[Any] | None = None
    global_webhooks: dict[str, Any] | list[Any] | None = None


AuthSpec.model_rebuild()
