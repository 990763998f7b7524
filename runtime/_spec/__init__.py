"""Typed models of connector spec files (spec.yml and every element spec).

The loader (`runtime._loader`) parses YAML into these models; the rest of the runtime reads
specs only through them.
"""

from __future__ import annotations

from runtime._spec._models import (
    AUTH_METHOD_KEYS,
    AUTH_TYPES,
    COLLECTION_EVENT_STRATEGIES,
    COLLECTION_EVENT_TYPES,
    COLLECTION_METHOD_KEYS,
    EVENT_IMPLEMENTATION_TYPES,
    EVENT_METHOD_KEYS,
    GLOBAL_WEBHOOK_METHOD_KEYS,
    IMPLEMENTATION_TYPES,
    OPERATION_METHOD_KEYS,
    AuthSpec,
    AuthUi,
    CollectionEventSpec,
    CollectionSpec,
    ConnectorSpec,
    EventSpec,
    ExtendsSpec,
    GlobalWebhookSpec,
    MethodKind,
    MethodSpec,
    OperationSpec,
)

__all__ = [
    "AUTH_METHOD_KEYS",
    "AUTH_TYPES",
    "AuthSpec",
    "AuthUi",
    "COLLECTION_EVENT_STRATEGIES",
    "COLLECTION_EVENT_TYPES",
    "COLLECTION_METHOD_KEYS",
    "CollectionEventSpec",
    "CollectionSpec",
    "ConnectorSpec",
    "EVENT_IMPLEMENTATION_TYPES",
    "EVENT_METHOD_KEYS",
    "EventSpec",
    "ExtendsSpec",
    "GLOBAL_WEBHOOK_METHOD_KEYS",
    "GlobalWebhookSpec",
    "IMPLEMENTATION_TYPES",
    "MethodKind",
    "MethodSpec",
    "OPERATION_METHOD_KEYS",
    "OperationSpec",
]
