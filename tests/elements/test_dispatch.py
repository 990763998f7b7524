"""The core routes every element kind through the element layer."""

from __future__ import annotations

import runtime._elements as elements


def test_core_dispatch_routes_every_element_kind_through_the_element_layer() -> None:
    from runtime._connection import DISPATCH

    assert DISPATCH["data"] is elements.dispatch_data
    assert DISPATCH["operations"] is elements.dispatch_operations
    assert DISPATCH["events"] is elements.dispatch_events
    assert DISPATCH["global-webhooks"] is elements.dispatch_global_webhooks
