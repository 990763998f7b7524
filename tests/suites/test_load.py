"""Case files: the format, and errors that name the file and the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from runtime._errors import SpecError
from runtime._suite import ABSENT, CaseFileError, find_case_files, find_connectors, load_case_file, select_cases


def write_case(tmp_path: Path, text: str, name: str = "case.yml") -> Path:
    connector = tmp_path / "acme"
    (connector / "tests").mkdir(parents=True, exist_ok=True)
    (connector / "spec.yml").write_text("key: acme\n")
    path = connector / "tests" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(CaseFileError) as info:
        load_case_file(path)
    assert all(isinstance(p, SpecError) for p in info.value.problems)
    return [p.message for p in info.value.problems]


def test_single_case_file_is_loaded_with_defaults(tmp_path: Path) -> None:
    path = write_case(tmp_path, """
        method: data/contacts/list
        exchanges:
          - request: {method: get, path: /v3/contacts, query: {limit: 100, archived: false}}
            response: {body: {results: []}}
        expect: {output: {records: []}}
        """, name="contacts/list.yml")
    [case] = load_case_file(path)
    assert case.id == "acme::contacts/list.yml::list"
    assert case.method == "data/contacts/list"
    assert case.input == {}
    [ex] = case.exchanges
    assert ex.request.method == "GET"
    assert ex.request.query == {"limit": 100, "archived": False}
    assert ex.response.status == 200
    assert ex.times == 1
    assert ex.where == "acme/tests/contacts/list.yml exchanges[0]"
    assert case.expect is not None and case.expect.output == {"records": []}
    assert case.expect.output_contains is ABSENT


def test_dates_stay_strings_as_in_json(tmp_path: Path) -> None:
    path = write_case(tmp_path, "method: a\ninput: {since: 2024-01-31}\nexpect: {output: {at: 2024-01-31T10:00:00Z, n: 1}}\n")
    [case] = load_case_file(path)
    assert case.input == {"since": "2024-01-31"}
    assert case.expect is not None and case.expect.output == {"at": "2024-01-31T10:00:00Z", "n": 1}


def test_cases_list_merges_file_connection_and_names_by_index(tmp_path: Path) -> None:
    path = write_case(tmp_path, """
        connection:
          credentials: {access_token: file-token, other: x}
          connectorParameters: {clientId: cid}
        cases:
          - method: operations/a/run
            expect: {}
          - name: second
            method: operations/b/run
            connection:
              credentials: {access_token: own-token}
              authOptionKey: oauth
            expect: {outputContains: {ok: true}}
        """)
    first, second = load_case_file(path)
    assert first.name == "case[0]" and second.name == "second"
    assert first.connection.credentials == {"access_token": "file-token", "other": "x"}
    assert second.connection.credentials == {"access_token": "own-token", "other": "x"}
    assert second.connection.connector_parameters == {"clientId": "cid"}
    assert second.connection.auth_option_key == "oauth"
    assert first.connection.auth_option_key is None


def test_secret_placeholders_are_filled_from_the_case_connection(tmp_path: Path) -> None:
    path = write_case(tmp_path, """
        method: data/x/list
        connection:
          credentials: {access_token: tok-1}
          connectionParameters: {apiKey: key-9, nested: {token: deep}}
        exchanges:
          - request:
              method: GET
              path: /items
              query: {key: "{{secret:apiKey}}"}
              headers: {Authorization: "Bearer {{secret:access_token}}", X-Deep: "{{secret:connectionParameters.nested.token}}"}
            response:
              body: {refreshed: "{{secret:refresh_token}}"}
        expect: {output: {token: "{{secret:access_token}}"}}
        """)
    [case] = load_case_file(path)
    req = case.exchanges[0].request
    assert req.query == {"key": "key-9"}
    assert req.headers == {"authorization": "Bearer tok-1", "x-deep": "deep"}
    # a name that is not in the connection gets the documented stand-in value
    assert case.exchanges[0].response.body == {"refreshed": "secret-refresh_token"}
    assert case.expect is not None and case.expect.output == {"token": "tok-1"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("method: a/b\nexpect: {}\nexchanges:\n  - request: {method: GET, path: /x}\n    respone: {}\n",
         "acme/tests/case.yml: exchanges[0].respone: unknown key (did you mean 'response'?)"),
        ("expect: {}\n", "acme/tests/case.yml: method: required"),
        ("method: a/b\nexpect: {}\nexchanges:\n  - request: {method: GET}\n",
         "acme/tests/case.yml: exchanges[0].request.path: required"),
        ("method: a/b\nexpect: {}\nexchanges:\n  - request: {method: GET, path: '/x?a=1'}\n",
         "acme/tests/case.yml: exchanges[0].request.path: must not hold a query string"),
        ("method: a/b\nexpect: {}\nexchanges:\n  - request: {method: FETCH, path: /x}\n",
         "acme/tests/case.yml: exchanges[0].request.method: unknown HTTP method 'FETCH'"),
        ("method: a/b\nexpect: {}\nexchanges:\n  - request: {method: GET, path: /x}\n    response: {status: 700}\n",
         "acme/tests/case.yml: exchanges[0].response.status: must be an HTTP status code"),
        ("method: a/b\nexpect: {}\nexchanges:\n  - requst: {method: GET, path: /x}\n    response: {stauts: 201}\n",
         "acme/tests/case.yml: exchanges[0].response.stauts: unknown key (did you mean 'status'?)"),
        ("method: a/b\nexpect: {}\nexchanges:\n  - request: {method: GET, path: /x}\n    times: 0\n",
         "acme/tests/case.yml: exchanges[0].times: must be a whole number >= 1"),
        ("method: a/b\nexpect: {}\nexchanges:\n  - request: {method: POST, path: /x, body: {}, form: {}}\n",
         "acme/tests/case.yml: exchanges[0].request.form: give only one of body, bodyText, form"),
        ("method: a/b\nexpect: {}\nexchanges:\n  - request: {method: GET, path: /x, query: {a: {b: 1}}}\n",
         "acme/tests/case.yml: exchanges[0].request.query.a: must be a string, number, boolean or a list"),
        ("method: a/b\nexpect: {output: 1, outputContains: 1}\n",
         "acme/tests/case.yml: expect.outputContains: give output (exact) or outputContains (subset), not both"),
        ("method: a/b\nexpect: {output: 1, error: {key: x}}\n",
         "acme/tests/case.yml: expect.error: an error case cannot also expect output"),
        ("method: a/b\nexpect: {error: {message: '(unclosed'}}\n",
         "acme/tests/case.yml: expect.error.message: invalid regular expression"),
        ("method: a/b\nexpect: {logs: ['[a-']}\n", "acme/tests/case.yml: expect.logs[0]: invalid regular expression"),
        ("method: a/b\nexpect: {assertions: {'records[': 1}}\n",
         "acme/tests/case.yml: expect.assertions['records[']: invalid JMESPath"),
        ("method: a/b\n", "acme/tests/case.yml: expect: required"),
        ("method: a/b\nexpect: {}\nconnection: {credentials: [1]}\n",
         "acme/tests/case.yml: connection.credentials: must be a mapping, got a list"),
        ("cases: []\n", "acme/tests/case.yml: cases: must be a non-empty list"),
        ("method: a\nexpect: {}\ncases: [{method: b, expect: {}}]\n", "acme/tests/case.yml: method: a file holds either"),
        ("- 1\n- 2\n", "acme/tests/case.yml: must be a mapping (one case) or hold cases:, got a list"),
        ("", "acme/tests/case.yml: empty file"),
        ("method: [unclosed\n", "acme/tests/case.yml: line 2: invalid YAML"),
        ("method: a/b\nexchanges:\n  - request: {method: GET, path: /x\nexpect: {}\n",
         "acme/tests/case.yml: line 4: invalid YAML: expected ',' or '}', but got ':' "
         "(while parsing a flow mapping at line 3, column 14)"),
    ],
)
def test_invalid_files_name_file_and_field(tmp_path: Path, text: str, expected: str) -> None:
    messages = problems(write_case(tmp_path, text))
    assert any(m.startswith(expected) for m in messages), messages


def test_duplicate_names_are_caught(tmp_path: Path) -> None:
    path = write_case(tmp_path, "cases:\n  - {name: a, method: x, expect: {}}\n  - {name: a, method: y, expect: {}}\n")
    assert problems(path) == ["acme/tests/case.yml: cases[1].name: duplicate case name 'a' (also cases[0])"]


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write_case(tmp_path, """
        cases:
          - method: a/b
            expect: {output: 1}
            exchanges: [{request: {path: /x}}]
          - expect: {outputt: 1}
        """)
    messages = problems(path)
    assert messages == [
        "acme/tests/case.yml: cases[0].exchanges[0].request.method: required: the HTTP method, e.g. GET",
        "acme/tests/case.yml: cases[1].method: required: the method path, e.g. data/contacts/list",
        "acme/tests/case.yml: cases[1].expect.outputt: unknown key (did you mean 'output'?)",
    ]


def test_missing_expect_is_allowed_for_record_mode(tmp_path: Path) -> None:
    path = write_case(tmp_path, "method: a/b\n")
    [case] = load_case_file(path, allow_missing_expect=True)
    assert case.expect is None


def test_discovery_of_connectors_and_case_files(tmp_path: Path) -> None:
    write_case(tmp_path, "method: a\nexpect: {}\n", name="one.yml")
    write_case(tmp_path, "method: a\nexpect: {}\n", name="deeper/two.yaml")
    (tmp_path / "acme" / "tests" / ".hidden.yml").write_text("nonsense: [")
    (tmp_path / "acme" / "tests" / "notes.txt").write_text("not a case")
    (tmp_path / "acme" / "tests" / "_data").mkdir()
    (tmp_path / "acme" / "tests" / "_data" / "payload.yml").write_text("not: a case")
    (tmp_path / "_mixins" / "x").mkdir(parents=True)
    (tmp_path / "_mixins" / "x" / "spec.yml").write_text("key: x\n")
    (tmp_path / "vendor" / "other").mkdir(parents=True)
    (tmp_path / "vendor" / "other" / "spec.yml").write_text("key: other\n")
    assert find_connectors(tmp_path) == [tmp_path / "acme", tmp_path / "vendor" / "other"]
    assert find_connectors(tmp_path / "acme") == [tmp_path / "acme"]
    assert [p.name for p in find_case_files(tmp_path / "acme")] == ["two.yaml", "one.yml"]


def test_selection_by_pattern_and_broken_files(tmp_path: Path) -> None:
    write_case(tmp_path, "cases:\n  - {name: lists contacts, method: a, expect: {}}\n  - {name: finds, method: b, expect: {}}\n",
               name="contacts.yml")
    write_case(tmp_path, "method: [", name="broken.yml")
    sel = select_cases([tmp_path], "CONTACTS.yml::lists")
    assert [c.id for c in sel.cases] == ["acme::contacts.yml::lists contacts"]
    assert sel.broken == []
    everything = select_cases([tmp_path])
    assert len(everything.cases) == 2
    [broken] = everything.broken
    assert broken.id == "acme::broken.yml" and not broken.passed
    assert "acme/tests/broken.yml: line 1: invalid YAML" in broken.failures[0]
    assert select_cases([tmp_path / "nowhere"]).not_found == [str(tmp_path / "nowhere")]
