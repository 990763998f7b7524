"""The package's public surface: `__all__` sorted, complete, and every name importable."""

from __future__ import annotations

import runtime._elements as elements


def test_all_is_sorted_and_complete() -> None:
    public = {n for n in vars(elements) if not n.startswith("_") and n != "annotations"}
    assert elements.__all__ == sorted(elements.__all__)
    assert set(elements.__all__) == public


def test_core_dispatch_routes_every_element_kind_through_the_element_layer() -> None:
    from runtime._connection import DISPATCH

    assert DISPATCH["data"] is elements.dispatch_data
    assert DISPATCH["operations"] is elements.dispatch_operations
    assert DISPATCH["events"] is elements.dispatch_events
    assert DISPATCH["global-webhooks"] is elements.dispatch_global_webhooks
