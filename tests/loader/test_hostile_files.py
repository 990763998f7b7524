"""Hostile connector directories: links out of the connector, YAML bombs, response handlers.

Each would otherwise hang `validate`, overflow the stack (an internal error instead of a
problem naming the file), or hand a host file to a mapping's output.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runtime._loader import load_connector, validate_connector

SPEC = "auth: {type: client-credentials, makeApiClient: {implementationType: mapping}}\n"


def connector(tmp_path: Path, make_api_client: str, spec: str = SPEC) -> Path:
    root = tmp_path / "c"
    (root / "auth").mkdir(parents=True)
    (root / "spec.yml").write_text(spec)
    (root / "auth" / "make-api-client.map.yml").write_text(make_api_client)
    return root


def lines(root: Path) -> list[str]:
    return [str(p) for p in validate_connector(root)]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlink_out_of_the_connector_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "host-secret.yml"
    outside.write_text("secret: host-file-contents\n")
    root = connector(tmp_path, "")
    target = root / "auth" / "make-api-client.map.yml"
    target.unlink()
    target.symlink_to(outside)
    assert lines(root) == ["auth/make-api-client.map.yml: is a link to a file outside the connector directory"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlink_inside_the_connector_is_fine(tmp_path: Path) -> None:
    root = connector(tmp_path, "")
    (root / "auth" / "shared.yml").write_text("baseUri: https://api.example.com\n")
    target = root / "auth" / "make-api-client.map.yml"
    target.unlink()
    target.symlink_to(root / "auth" / "shared.yml")
    assert lines(root) == []


def test_a_yaml_alias_bomb_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    root = connector(tmp_path, "\n".join(levels) + "\n")
    assert lines(root) == ["auth/make-api-client.map.yml: YAML too large: expands to more than 1000000 values (YAML aliases?)"]


def test_a_self_referencing_alias_is_a_problem(tmp_path: Path) -> None:
    root = connector(tmp_path, "a: &a [*a]\n")
    assert lines(root) == [
        "auth/make-api-client.map.yml: YAML too large: nested more than 200 levels deep (or an alias refers to itself)"
    ]


def test_deep_nesting_in_spec_yml_is_a_problem_naming_the_file(tmp_path: Path) -> None:
    deep = "{b: " * 500 + "1" + "}" * 500
    root = connector(tmp_path, "baseUri: https://api.example.com\n", spec=SPEC + f"parametersSchema: {deep}\n")
    assert lines(root)[0] == "spec.yml: YAML too large: nested more than 200 levels deep (or an alias refers to itself)"


def test_nesting_below_the_bound_loads(tmp_path: Path) -> None:
    deep = "{b: " * 190 + "{$var: credentials.x}" + "}" * 190
    root = connector(tmp_path, f"a: {deep}\n")
    assert lines(root) == []


def test_response_handlers_are_compiled_at_load_and_kept_out_of_the_program(tmp_path: Path) -> None:
    root = connector(
        tmp_path,
        "baseUri: https://api.example.com\n"
        "responseHandlers:\n"
        "  - match: {$eval: {$var: response.statusCode}, is: 418}\n"
        "    error: {key: teapot, message: {$var: response.data.message}}\n",
    )
    impl = load_connector(root).auth().methods["makeApiClient"]
    assert impl.response_handlers is not None and len(impl.response_handlers) == 1
    # the program is what makeApiClient evaluates with the connection's context
    assert impl.program.evaluate({"credentials": {}}) == {"baseUri": "https://api.example.com"}
    assert impl.describe()["responseHandlers"] == 1


@pytest.mark.parametrize(
    ("handlers", "problem"),
    [
        ("responseHandlers: 5\n", "auth/make-api-client.map.yml: responseHandlers: must be a list, got int"),
        ("responseHandlers: [{isSuccess: true}]\n", "auth/make-api-client.map.yml: responseHandlers[0].match: is required"),
        (
            "responseHandlers: [{match: true, error: {message: {$concat: 5}}}]\n",
            "auth/make-api-client.map.yml: responseHandlers[0].error.message.$concat: "
            "$concat expects a list or a mapping, got a number",
        ),
    ],
)
def test_bad_response_handlers_fail_validate_once(tmp_path: Path, handlers: str, problem: str) -> None:
    # one problem: not also "required method is missing" for the makeApiClient that exists
    assert lines(connector(tmp_path, handlers)) == [problem]


def test_misspelt_formula_in_a_response_handler_is_a_warning(tmp_path: Path) -> None:
    root = connector(tmp_path, "responseHandlers: [{match: {$vr: response.statusCode}}]\n")
    problems = validate_connector(root)
    assert [(p.field, p.severity) for p in problems] == [("responseHandlers[0].match.$vr", "warning")]
