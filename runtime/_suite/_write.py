"""Exchanges back to the case-file shape (record mode writes them; the bench hands them to its
server process)."""

from __future__ import annotations

from typing import Any

from runtime._suite._model import ABSENT, Exchange, RequestMatcher, ResponseSpec

__all__ = ["exchange_to_dict", "request_to_dict", "response_to_dict"]


def request_to_dict(m: RequestMatcher) -> dict[str, Any]:
    out: dict[str, Any] = {"method": m.method, "path": m.path}
    if m.query_exact is not None:
        out["queryExact"] = m.query_exact
    elif m.query:
        out["query"] = m.query
    if m.headers:
        out["headers"] = m.headers
    if m.body is not ABSENT:
        out["body"] = m.body
    elif m.body_text is not None:
        out["bodyText"] = m.body_text
    elif m.form is not None:
        out["form"] = m.form
    return out


def response_to_dict(r: ResponseSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"status": r.status}
    if r.headers:
        out["headers"] = r.headers
    if r.body is not ABSENT:
        out["body"] = r.body
    return out


def exchange_to_dict(ex: Exchange) -> dict[str, Any]:
    out: dict[str, Any] = {"request": request_to_dict(ex.request), "response": response_to_dict(ex.response)}
    if ex.times != 1:
        out["times"] = ex.times
    return out
