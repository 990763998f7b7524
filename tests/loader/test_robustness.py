"""Whatever the spec files hold, validation reports problems and never raises."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime._loader import validate_connector

_KEYS = st.sampled_from(
    [
        "auth",
        "type",
        "methods",
        "list",
        "findById",
        "implementationType",
        "filePath",
        "mapping",
        "code",
        "extends",
        "path",
        "parameters",
        "events",
        "created",
        "options",
        "ui",
        "schema",
        "inputSchema",
        "makeApiClient",
        "test",
        "data",
        "operations",
        "run",
        "$var",
        "fieldsSchema",
        "javascript",
        "x",
    ]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    _KEYS,
    st.sampled_from(["mapping", "rest-api-mapping", "../x.js", "_m"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(top=_VALUES, collection=_VALUES, mixin=_VALUES)
def test_validate_never_raises(top: Any, collection: Any, mixin: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "data" / "x").mkdir(parents=True)
        (root / "data" / "_m").mkdir(parents=True)
        (root / "auth").mkdir()
        (root / "spec.yml").write_text(yaml.safe_dump(top))
        (root / "data" / "x" / "spec.yml").write_text(yaml.safe_dump(collection))
        (root / "data" / "_m" / "spec.yml").write_text(yaml.safe_dump(mixin))
        (root / "data" / "x" / "list.js").write_text("export default async () => ({ records: [] })\n")
        (root / "auth" / "make-api-client.map.yml").write_text(yaml.safe_dump(collection))
        problems = validate_connector(root)
        assert all(p.file and p.message for p in problems)
