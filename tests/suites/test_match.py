"""Request matching semantics and the wording of differences."""

from __future__ import annotations

import json

import pytest

from runtime._suite import ABSENT, Exchange, ReceivedRequest, RequestMatcher, ResponseSpec, closest_exchange
from runtime._suite import differences, request_mismatches


def req(method: str = "GET", target: str = "/v1/items", headers: dict[str, str] | None = None,
        body: bytes = b"") -> ReceivedRequest:
    return ReceivedRequest.from_target(method, target, [(k.lower(), v) for k, v in (headers or {}).items()], body)


def test_method_and_path_must_match_exactly() -> None:
    m = RequestMatcher(method="GET", path="/v1/items")
    assert request_mismatches(m, req()) == []
    assert request_mismatches(m, req("POST")) == ["method: expected GET, got POST"]
    assert request_mismatches(m, req(target="/v1/items/")) == ["path: expected /v1/items, got /v1/items/"]
    # percent-encoding is compared decoded on both sides
    assert request_mismatches(RequestMatcher(method="GET", path="/a b"), req(target="/a%20b")) == []


def test_query_is_a_subset_compared_as_strings() -> None:
    m = RequestMatcher(method="GET", path="/v1/items", query={"limit": 100, "archived": False, "q": None})
    assert request_mismatches(m, req(target="/v1/items?limit=100&archived=false&q=&extra=1")) == []
    assert request_mismatches(m, req(target="/v1/items?limit=50&archived=false&q=")) == [
        'query limit: expected "100", got "50"']
    assert request_mismatches(m, req(target="/v1/items?archived=false&q=")) == ['query limit: missing (expected "100")']


def test_query_exact_rejects_extra_parameters_and_lists_match_repeats() -> None:
    m = RequestMatcher(method="GET", path="/x", query_exact={"tag": ["a", "b"]})
    assert request_mismatches(m, req(target="/x?tag=a&tag=b")) == []
    assert request_mismatches(m, req(target="/x?tag=b&tag=a")) == ['query tag: expected ["a", "b"], got ["b", "a"]']
    assert request_mismatches(m, req(target="/x?tag=a&tag=b&page=2")) == ['query page: not expected (got "2")']


def test_headers_are_a_subset_with_case_insensitive_names() -> None:
    m = RequestMatcher(method="GET", path="/x", headers={"authorization": "Bearer t", "x-id": "7"})
    assert request_mismatches(m, req(target="/x", headers={"AUTHORIZATION": "Bearer t", "X-Id": "7", "Other": "1"})) == []
    assert request_mismatches(m, req(target="/x", headers={"Authorization": "Bearer u"})) == [
        'header authorization: expected "Bearer t", got "Bearer u"',
        'header x-id: missing (expected "7")',
    ]


def test_json_body_is_a_recursive_subset() -> None:
    m = RequestMatcher(method="POST", path="/x", body={"name": "Ada", "tags": [{"k": 1}], "meta": {"a": 1}})
    sent = {"name": "Ada", "tags": [{"k": 1, "extra": 2}], "meta": {"a": 1, "b": 2}, "more": True}
    assert request_mismatches(m, req("POST", "/x", body=json.dumps(sent).encode())) == []
    wrong = {"name": "Bob", "tags": [{"k": "1"}, {"k": 2}], "meta": {}}
    assert request_mismatches(m, req("POST", "/x", body=json.dumps(wrong).encode())) == [
        'body name: expected "Ada", got "Bob"',
        "body tags: expected 1 item(s), got 2",
        'body tags[0].k: expected 1, got "1"',
        "body meta.a: missing (expected 1)",
    ]
    assert request_mismatches(m, req("POST", "/x", body=b"a=1")) == [
        'body: expected JSON {"name": "Ada", "tags": [{"k": 1}], "meta": {"a": 1}}, got "a=1"']


def test_body_text_is_exact_and_form_is_a_subset() -> None:
    text = RequestMatcher(method="POST", path="/x", body_text="a=1&b=2")
    assert request_mismatches(text, req("POST", "/x", body=b"a=1&b=2")) == []
    assert request_mismatches(text, req("POST", "/x", body=b"b=2&a=1")) == ['bodyText: expected "a=1&b=2", got "b=2&a=1"']
    form = RequestMatcher(method="POST", path="/x", form={"grant_type": "refresh_token", "n": 1})
    assert request_mismatches(form, req("POST", "/x", body=b"n=1&grant_type=refresh_token&client_id=c")) == []
    assert request_mismatches(form, req("POST", "/x", body=b"grant_type=code&n=1")) == [
        'form grant_type: expected "refresh_token", got "code"']


def test_differences_exact_and_subset() -> None:
    expected = {"records": [{"id": "1"}], "cursor": "2"}
    assert differences(expected, {"records": [{"id": "1"}], "cursor": "2"}, subset=False) == []
    assert differences(expected, {"records": [{"id": 1, "x": 0}], "cursor": None, "extra": 1}, subset=False) == [
        'records[0].id: expected "1", got 1',
        "records[0].x: not expected (got 0)",
        'cursor: expected "2", got null',
        "extra: not expected (got 1)",
    ]
    assert differences({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}, "d": 3}, subset=True) == []
    assert differences({"weird key": 1}, {}, subset=True) == ['["weird key"]: missing (expected 1)']
    assert differences([1, 2], {"a": 1}, subset=True) == ['(top): expected a list [1, 2], got {"a": 1}']
    # JSON semantics: 1 == 1.0, but True is not 1
    assert differences({"n": 1}, {"n": 1.0}, subset=False) == []
    assert differences({"n": 1}, {"n": True}, subset=False) == ["n: expected 1, got true"]


def test_long_values_are_shortened_in_messages() -> None:
    [line] = differences({"a": "x"}, {"a": "y" * 500}, subset=False)
    assert line.startswith('a: expected "x", got "yyyy') and line.endswith('...') and len(line) < 220


@pytest.mark.parametrize(
    ("target", "closest"),
    [("/v1/contacts?limit=50", 0), ("/v1/deals", 1), ("/v1/contact", 0)],
)
def test_closest_exchange_prefers_same_path_and_method(target: str, closest: int) -> None:
    exchanges = [
        Exchange(0, RequestMatcher(method="GET", path="/v1/contacts", query={"limit": 100}), ResponseSpec()),
        Exchange(1, RequestMatcher(method="POST", path="/v1/deals"), ResponseSpec()),
        Exchange(2, RequestMatcher(method="DELETE", path="/v1/other"), ResponseSpec()),
    ]
    found = closest_exchange(exchanges, req("GET", target))
    assert found is not None and found[0].index == closest


def test_response_encoding_defaults() -> None:
    assert ResponseSpec(body={"a": 1}).encode() == (200, [("Content-Type", "application/json")], b'{"a": 1}')
    assert ResponseSpec(status=201, body="plain").encode() == (
        201, [("Content-Type", "text/plain; charset=utf-8")], b"plain")
    assert ResponseSpec(status=204, headers={"X-A": "1"}).encode() == (204, [("X-A", "1")], b"")
    assert ResponseSpec(body="<html/>", headers={"content-type": "text/html"}).encode()[1] == [("content-type", "text/html")]
    assert RequestMatcher(method="GET", path="/x").body is ABSENT
