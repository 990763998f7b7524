"""Validation collects EVERY problem of a broken connector, each with its file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime._errors import SpecError
from runtime._loader import ConnectorLoadError, Problem, load_connector, validate_connector
from tests.loader.conftest import FIXTURES

BROKEN = FIXTURES / "broken"

# (file, line, field, a fragment of the message, severity): every one must be reported, at once.
EXPECTED = [
    ("spec.yml", None, "auth.makeApiClient", "required method is missing", "error"),
    ("auth/test.js", 3, None, "SyntaxError", "error"),
    ("auth/refresh-credentials.map.yml", None, "apiKey.$var", "$var", "error"),
    ("data/yamlbad/spec.yml", 5, None, "invalid YAML", "error"),
    ("data/deals/spec.yml", None, "methods.list.implementationType", "unknown type 'rest'", "error"),
    (
        "data/deals/spec.yml",
        None,
        "methods.findById.implementationType",
        "data/deals/find-by-id.js has a javascript suffix (.js), contradicting implementationType 'mapping'",
        "error",
    ),
    ("data/deals/spec.yml", None, "methods.create", "file not found: data/deals/create.js", "error"),
    ("data/deals/update.ts", 4, None, "TypeScript syntax error", "error"),
    ("data/deals/spec.yml", None, "methods.delete.filePath", "points outside the connector", "error"),
    ("data/deals/match.map.yml", None, None, "$vr", "warning"),
    ("data/deals/search.op.yml", None, "operationKey", "unknown operation 'no-such-operation'", "error"),
    ("data/contacts/spec.yml", None, "extends.path", "mixin folder '_missing-mixin' not found", "error"),
    ("data/contacts/list.rest.yml", None, "path", "is required", "error"),
    ("data/contacts/list.rest.yml", None, "method", "must be one of GET", "error"),
    (
        "data/contacts/spec.yml",
        None,
        "events.created.methods.handle",
        "required webhook event method is missing",
        "error",
    ),
    ("data/contacts/spec.yml", None, "events.updated.implementationType", "unknown event strategy 'teleport'", "error"),
    ("data/notes/spec.yml", None, "methods", "must be an object", "error"),
    ("data/notes/spec.yml", None, "fieldsSchema", "must be an object", "error"),
    ("operations/op-no-run/spec.yml", None, "methods.run", "required operation method is missing", "error"),
    ("events/ev1/spec.yml", None, "implementationType", "unknown event type 'push'", "error"),
    ("global-webhooks/gw/spec.yml", None, "methods.handle.code", "line 1 of the inline code", "error"),
]


@pytest.fixture(scope="module")
def problems() -> list[Problem]:
    return validate_connector(BROKEN)


@pytest.mark.parametrize(("file", "line", "field", "fragment", "severity"), EXPECTED)
def test_each_problem_is_reported(
    problems: list[Problem], file: str, line: int | None, field: str | None, fragment: str, severity: str
) -> None:
    matches = [p for p in problems if p.file == file and fragment in p.message and (field is None or p.field == field)]
    assert matches, f"no problem for {file} {field} containing {fragment!r}; got:\n" + "\n".join(map(str, problems))
    problem = matches[0]
    assert problem.severity == severity
    assert problem.line == line
    if field is None:
        assert problem.field is None or problem.field.endswith("$vr")


def test_all_problems_at_once_and_nothing_else(problems: list[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) >= len([e for e in EXPECTED if e[4] == "error"])
    # no duplicates: each problem once
    assert len({str(p) for p in problems}) == len(problems)


def test_problem_line_format(problems: list[Problem]) -> None:
    lines = {str(p) for p in problems}
    assert (
        "data/deals/spec.yml: methods.list.implementationType: unknown type 'rest' "
        "(expected one of: javascript, mapping, rest-api-mapping, graphql-api-mapping, "
        "operation-mapping, not-supported)"
    ) in lines
    assert any(line.startswith("data/deals/update.ts:4: TypeScript syntax error") for line in lines)
    assert any(line.startswith("data/deals/match.map.yml: ") and ": warning: " in line for line in lines)


def test_load_raises_with_every_problem() -> None:
    with pytest.raises(ConnectorLoadError) as exc:
        load_connector(BROKEN)
    err = exc.value
    assert isinstance(err, SpecError) and err.type == "configuration"
    assert err.problems[0].severity == "error"  # errors first
    assert len([p for p in err.problems if p.severity == "error"]) >= 19
    assert "more errors" in err.message
    assert err.to_dict()["data"]["problems"][0]["file"] == err.problems[0].file


def test_missing_directory_and_spec(tmp_path: Path) -> None:
    problems = validate_connector(tmp_path / "nope")
    assert len(problems) == 1 and "not a connector directory" in problems[0].message
    problems = validate_connector(tmp_path)
    assert [(p.file, p.severity) for p in problems][:1] == [("spec.yml", "error")]
    assert "spec.yml" in problems[0].message


def test_ambiguous_files_and_unknown_type_shapes(tmp_path: Path) -> None:
    (tmp_path / "auth").mkdir()
    (tmp_path / "auth" / "make-api-client.map.yml").write_text("baseUri: https://x\n")
    (tmp_path / "spec.yml").write_text("auth: {type: client-credentials}\n")
    col = tmp_path / "data" / "things"
    col.mkdir(parents=True)
    (col / "spec.yml").write_text("methods:\n  list: {}\n  create: {implementationType: [1]}\n  update: 3\n")
    (col / "list.js").write_text("export default () => ({records: []})\n")
    (col / "list.map.yml").write_text("records: []\n")
    problems = {(p.field, p.message.split(":")[0]) for p in validate_connector(tmp_path)}
    assert ("methods.list", "ambiguous implementation") in problems
    assert ("methods.create.implementationType", "must be a string, one of") in problems
    assert ("methods.update", "method entry must be an object like {implementationType") in problems


def test_auth_type_and_oauth_config_checks(tmp_path: Path) -> None:
    (tmp_path / "spec.yml").write_text(
        "auth:\n  type: oauth3\n  options:\n    o: {type: oauth2, makeApiClient: {implementationType: mapping}}\n"
    )
    (tmp_path / "auth").mkdir()
    (tmp_path / "auth" / "make-api-client.map.yml").write_text("baseUri: https://x\n")
    found = {(p.field, p.message.split(" (")[0]) for p in validate_connector(tmp_path)}
    assert ("auth.type", "unknown auth type 'oauth3'") in found
    assert ("auth.options.o.getOAuthConfig", "required for oauth2: add auth/get-oauth-config.map.yml") in found


def test_file_path_suffix_rules(tmp_path: Path) -> None:
    (tmp_path / "auth").mkdir()
    (tmp_path / "auth" / "make-api-client.map.yml").write_text("baseUri: https://x\n")
    (tmp_path / "spec.yml").write_text("auth: {type: client-credentials}\n")
    col = tmp_path / "data" / "things"
    (col / "requests").mkdir(parents=True)
    (col / "spec.yml").write_text(
        "methods:\n"
        "  list: {implementationType: rest-api-mapping, filePath: requests/list.yml}\n"
        "  create: {implementationType: mapping, filePath: requests/create.js}\n"
        "  update: {filePath: requests/notes.txt}\n"
    )
    (col / "requests" / "list.yml").write_text("path: /things\nmethod: get\n")
    (col / "requests" / "create.js").write_text("export default () => ({})\n")
    (col / "requests" / "notes.txt").write_text("hello\n")
    problems = validate_connector(tmp_path)
    assert [(p.field, p.message) for p in problems] == [
        (
            "methods.create.filePath",
            "data/things/requests/create.js has a javascript suffix (.js) but implementationType is 'mapping'",
        ),
        (
            "methods.update.filePath",
            "cannot tell the implementation type of data/things/requests/notes.txt: set implementationType",
        ),
    ]
    # a plain .yml named by filePath serves any YAML-based type
    (col / "spec.yml").write_text(
        "methods:\n  list: {implementationType: rest-api-mapping, filePath: requests/list.yml}\n"
    )
    from runtime._loader import load_connector

    rest = load_connector(tmp_path).collections["things"].methods["list"].rest
    assert rest is not None and (rest.method, rest.path) == ("GET", "/things")
