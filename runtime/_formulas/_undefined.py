"""The `UNDEFINED` sentinel: "no value", distinct from JSON null.

The platform's engine is JavaScript and leans on the difference between `undefined` (a key is
dropped, an `$iterate` item is skipped, `$case` falls through) and `null` (a value that is kept).
Python has only `None`, so the engine uses this singleton internally; `Program.evaluate` turns a
top-level `UNDEFINED` into `None` so that callers only ever see JSON values.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["UNDEFINED", "UndefinedType"]


class UndefinedType:
    """Type of the one `UNDEFINED` value (falsy, not equal to anything but itself)."""

    __slots__ = ()
    _instance: UndefinedType | None = None

    def __new__(cls) -> UndefinedType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False

    def __copy__(self) -> UndefinedType:
        return self

    def __deepcopy__(self, memo: Any) -> UndefinedType:
        return self

    def __reduce__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Final = UndefinedType()
