"""Fields schema checks for writes, customFields merging, parameters (pure)."""

from __future__ import annotations

import pytest

from runtime._elements import (
    InvalidFieldsError,
    InvalidParametersError,
    merge_custom_fields,
    prepare_parameters,
    schema_problems,
    validate_write_fields,
)
from runtime._errors import InvalidInputError

SCHEMA = {
    "type": "object",
    "required": ["email", "id"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "email": {"type": "string"},
        "age": {"type": "integer"},
        "address": {"type": "object", "properties": {"city": {"type": "string"}, "geo": {"type": "string", "readOnly": True}}},
        "tags": {"type": "array", "items": {"type": "string"}},
        "owner": {"$var": "parameters.ownerSchema"},
    },
}


def test_valid_create_and_partial_update_pass() -> None:
    validate_write_fields(SCHEMA, {"email": "a@x", "age": 3, "tags": ["a"], "owner": 5}, creating=True, where="w")
    validate_write_fields(SCHEMA, {"age": None}, creating=False, where="w")  # null clears; email not required


def test_errors_name_every_bad_field_at_once() -> None:
    with pytest.raises(InvalidFieldsError) as info:
        validate_write_fields(
            SCHEMA, {"id": "x", "age": "3", "address": {"geo": "1,2", "city": 5}, "tags": ["ok", 1]}, creating=True, where="data/c/create"
        )
    err = info.value
    fields = {e["field"]: e["message"] for e in err.data["errors"]}
    assert fields == {
        "id": "is read-only",
        "address.geo": "is read-only",
        "age": "is a string, expected integer",
        "address.city": "is an integer, expected string",
        "tags[1]": "is an integer, expected string",
        "email": "is required",
    }
    assert str(err).startswith("data/c/create: invalid fields: ")
    assert isinstance(err, InvalidInputError) and err.type == "configuration"


def test_messages_never_echo_values() -> None:
    schema = {"type": "object", "properties": {"token": {"type": "string", "enum": ["a", "b"]}}}
    problems = schema_problems(schema, {"token": "s3cr3t-value"}, root="fields")
    assert problems and all("s3cr3t" not in str(p) for p in problems)


def test_custom_fields_are_merged_but_authored_fields_win() -> None:
    merged = merge_custom_fields(SCHEMA, {"type": "object", "properties": {"email": {"type": "integer"}, "cf_1": {"type": "number"}}})
    assert merged["properties"]["email"] == {"type": "string"}
    assert merged["properties"]["cf_1"] == {"type": "number"}
    assert "cf_1" not in SCHEMA["properties"]  # the loaded schema is not mutated
    assert merge_custom_fields(None, {"cf": {"type": "string"}}) == {"type": "object", "properties": {"cf": {"type": "string"}}}


def test_parameters_merge_with_the_collection_winning_and_defaults_filled() -> None:
    schema = {"type": "object", "required": ["path"], "properties": {"path": {"type": "string"}, "limit": {"type": "integer", "default": 50}}}
    assert prepare_parameters(schema, {"path": "call", "x": 1}, {"path": "contacts"}, where="w") == {
        "path": "contacts", "x": 1, "limit": 50,
    }
    with pytest.raises(InvalidParametersError) as info:
        prepare_parameters(schema, {"limit": "many"}, where="data/c/list")
    assert "parameters.path: is required" in str(info.value)
    assert "parameters.limit: is a string, expected integer" in str(info.value)


def test_every_missing_required_parameter_is_named_once() -> None:
    schema = {"type": "object", "required": ["owner", "repo"], "properties": {"owner": {"type": "string"}, "repo": {"type": "string"}}}
    with pytest.raises(InvalidParametersError) as info:
        prepare_parameters(schema, {}, where="data/issues/list")
    text = str(info.value)
    assert text.count("parameters.owner: is required") == 1 and text.count("parameters.repo: is required") == 1


# -- formulas inside schemas (SPEC 6.3): evaluated against the value the schema describes --------

DYNAMIC = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "kind": {"type": "string"},
        "locked": {"type": "boolean"},
        "stage": {
            "type": "string",
            "enum": {"$case": {"cases": [{"filter": {"$eval": {"$var": "$.kind"}, "is": "task"}, "value": ["open", "done"]}],
                               "default": ["new", "won", "lost"]}},
        },
        "secret": {"type": "string", "readOnly": {"$eval": {"$var": "locked"}, "is": True}},
        "owner": {"type": "string", "enum": {"$lookup": {"collection": "users"}}},
        "$top": {"type": "integer"},  # not a formula name: a literal property called `$top`
        "note": {},  # a literal empty schema stays (with additionalProperties: false it matters)
        "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}},
    },
    "$defs": {"tag": {"type": "string"}},
}


def fields_errors(fields: dict[str, object], resolvers: object = None) -> dict[str, str]:
    try:
        validate_write_fields(DYNAMIC, fields, creating=True, where="w", resolvers=resolvers)
    except InvalidFieldsError as exc:
        return {e["field"]: e["message"] for e in exc.data["errors"]}
    return {}


def test_schema_formulas_are_evaluated_against_the_fields_being_written() -> None:
    assert fields_errors({"kind": "task", "stage": "done", "note": 1, "tags": ["a"]}) == {}
    assert set(fields_errors({"kind": "deal", "stage": "done"})) == {"stage"}  # was accept-anything
    assert fields_errors({"locked": True, "secret": "s"}) == {"secret": "is read-only"}
    assert fields_errors({"locked": False, "secret": "s"}) == {}
    assert set(fields_errors({"$top": "many", "tags": [1]})) == {"$top", "tags[0]"}  # literal `$` keys kept


def test_schema_formulas_needing_the_host_use_its_resolvers_or_accept_anything() -> None:
    from runtime._formulas import Resolvers

    assert fields_errors({"owner": "u9"}) == {}  # no resolver: the formula cannot narrow anything
    users = Resolvers(lookup=lambda args: ["u1", "u2"] if args == {"collection": "users"} else None)
    assert set(fields_errors({"owner": "u9"}, users)) == {"owner"}
    assert fields_errors({"owner": "u1"}, users) == {}


def test_schema_formulas_in_parameters_schemas() -> None:
    schema = {"type": "object", "properties": {"limit": {"type": "integer", "maximum": {"$var": "$.max"}}}}
    assert prepare_parameters(schema, {"limit": 5, "max": 10}, where="w")["limit"] == 5
    with pytest.raises(InvalidParametersError, match="parameters.limit"):
        prepare_parameters(schema, {"limit": 50, "max": 10}, where="w")
