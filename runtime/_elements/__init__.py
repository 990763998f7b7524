"""The element layer: data collections, operations, events and webhooks (SPEC sections 6-8).

Everything here runs connector methods only through a `Runner` (in production
`Connection.run_method`), so the semantics of elements (normalised records, parameters,
field checks, paging, change events and their state, webhook requests) are plain Python.

Where things are: the host API (`collection`, `change_events`, `operation`, `event`,
`handle_webhook_request`, ...) in `_host.py`, each async method with a generated `*_sync`
twin (`_sync.py`); method paths (`data/...`, `data/<c>/changes-pull`, `operations/...`,
`events/...`, `global-webhooks/...`) in `_bind.py` and `_change_calls.py`; the host-held
state shapes in `_state.py`.
"""

from __future__ import annotations

from runtime._elements._bind import (
    dispatch_data,
    dispatch_events,
    dispatch_global_webhooks,
    dispatch_operations,
)
from runtime._elements._change_calls import CHANGE_METHODS
from runtime._elements._change_detection import (
    advance_high_water_mark,
    diff_snapshot,
    high_water_mark,
    is_newer,
    record_fingerprint,
)
from runtime._elements._change_events import WEBHOOK_GROUP_PARAM, ChangeEvents
from runtime._elements._collections import COLLECTION_METHODS, DataCollection
from runtime._elements._errors import (
    InvalidFieldsError,
    InvalidOutputError,
    InvalidParametersError,
    InvalidStateError,
    OutputSchemaError,
    RepeatingCursorError,
    StalledPagingError,
)
from runtime._elements._events import ConnectorEvent, next_refresh_at, refresh_due
from runtime._elements._fields import merge_custom_fields, read_only_paths, validate_write_fields
from runtime._elements._global_webhooks import GlobalWebhook, route_global_events, selector_key
from runtime._elements._host import (
    GlobalDelivery,
    GlobalWebhookResult,
    WebhookResult,
    change_events,
    collection,
    event,
    global_webhook,
    handle_global_webhook_request,
    handle_global_webhook_request_sync,
    handle_webhook_request,
    handle_webhook_request_sync,
    operation,
)
from runtime._elements._model import (
    CHANGE_TYPES,
    CollectionModel,
    EventModel,
    EventTypeModel,
    OperationModel,
    Runner,
)
from runtime._elements._operations import Operation
from runtime._elements._pagination import iterate_pages, iterate_records
from runtime._elements._parameters import merge_parameters, prepare_parameters, validate_parameters
from runtime._elements._records import (
    normalize_id,
    normalize_id_output,
    normalize_page,
    normalize_record,
    normalize_record_output,
)
from runtime._elements._schema import SchemaProblem, schema_problems
from runtime._elements._schema_formulas import resolve_schema
from runtime._elements._times import parse_time
from runtime._elements._webhooks import HttpResponse, IncomingRequest, build_response, handle_inputs, parse_request

__all__ = [
    "CHANGE_METHODS",
    "CHANGE_TYPES",
    "COLLECTION_METHODS",
    "ChangeEvents",
    "CollectionModel",
    "ConnectorEvent",
    "DataCollection",
    "EventModel",
    "EventTypeModel",
    "GlobalDelivery",
    "GlobalWebhook",
    "GlobalWebhookResult",
    "HttpResponse",
    "IncomingRequest",
    "InvalidFieldsError",
    "InvalidOutputError",
    "InvalidParametersError",
    "InvalidStateError",
    "Operation",
    "OperationModel",
    "OutputSchemaError",
    "RepeatingCursorError",
    "Runner",
    "SchemaProblem",
    "StalledPagingError",
    "WEBHOOK_GROUP_PARAM",
    "WebhookResult",
    "advance_high_water_mark",
    "build_response",
    "change_events",
    "collection",
    "diff_snapshot",
    "dispatch_data",
    "dispatch_events",
    "dispatch_global_webhooks",
    "dispatch_operations",
    "event",
    "global_webhook",
    "handle_global_webhook_request",
    "handle_global_webhook_request_sync",
    "handle_inputs",
    "handle_webhook_request",
    "handle_webhook_request_sync",
    "high_water_mark",
    "is_newer",
    "iterate_pages",
    "iterate_records",
    "merge_custom_fields",
    "merge_parameters",
    "next_refresh_at",
    "normalize_id",
    "normalize_id_output",
    "normalize_page",
    "normalize_record",
    "normalize_record_output",
    "operation",
    "parse_request",
    "parse_time",
    "prepare_parameters",
    "read_only_paths",
    "record_fingerprint",
    "refresh_due",
    "resolve_schema",
    "route_global_events",
    "schema_problems",
    "selector_key",
    "validate_parameters",
    "validate_write_fields",
]
