"""Errors raised by the element layer (collections, operations, events, webhooks).

They extend the runtime's tree (runtime/_errors.py) so a host that catches `ConnectorError`
(or a `type`) catches them too; the subclasses exist so a host can tell the cases apart.

    CustomCodeError
    └── InvalidOutputError       the connector returned something of the wrong shape
        ├── RepeatingCursorError a list/search returned a cursor it had already returned
        ├── StalledPagingError   page after page with a new cursor but no new record
        └── OutputSchemaError    an operation's output does not match outputSchema (strict mode)
    InvalidInputError
    ├── InvalidParametersError   element parameters do not match parametersSchema
    ├── InvalidFieldsError       record fields for create/update do not match the fields schema
    └── InvalidStateError        host-held state (change events, subscriptions) is not what subscribe made
"""

from __future__ import annotations

from runtime._errors import CustomCodeError, InvalidInputError

__all__ = [
    "InvalidFieldsError",
    "InvalidOutputError",
    "InvalidParametersError",
    "InvalidStateError",
    "OutputSchemaError",
    "RepeatingCursorError",
    "StalledPagingError",
]


class InvalidOutputError(CustomCodeError):
    """A connector method returned a value the runtime cannot use (e.g. a record without id)."""

    key = "invalid_output"


class RepeatingCursorError(InvalidOutputError):
    """Paging would loop forever: the connector handed back a cursor it had returned before."""

    key = "repeating_cursor"


class StalledPagingError(InvalidOutputError):
    """Paging would run forever: many pages in a row with fresh cursors but no new record."""

    key = "stalled_paging"


class OutputSchemaError(InvalidOutputError):
    """An operation's output does not match its outputSchema (raised only in strict mode)."""

    key = "output_schema_mismatch"


class InvalidParametersError(InvalidInputError):
    """Element parameters do not match the element's parametersSchema; names each parameter."""

    key = "invalid_parameters"


class InvalidFieldsError(InvalidInputError):
    """Fields given to create/update break the fields schema; names each field."""

    key = "invalid_fields"


class InvalidStateError(InvalidInputError):
    """State the host handed back is damaged or from elsewhere; names the bad path, runs nothing."""

    key = "invalid_state"
