"""The package's public surface: `__all__` sorted, complete, and every name importable."""

from __future__ import annotations

import runtime._elements as elements


def test_all_is_sorted_and_complete() -> None:
    public = {n for n in vars(elements) if not n.startswith("_") and n != "annotations"}
    assert elements.__all__ == sorted(elements.__all__)
    assert set(elements.__all__) == public


def test_install_dispatch_routes_every_element_kind() -> None:
    table: dict[str, object] = {"auth": "core"}
    elements.install_dispatch(table)
    assert table == {
        "auth": "core",
        "data": elements.dispatch_data,
        "operations": elements.dispatch_operations,
        "events": elements.dispatch_events,
        "global-webhooks": elements.dispatch_global_webhooks,
    }
