"""Problems found while loading a connector, and the error that carries all of them.

Loading never stops at the first mistake: every problem is collected (file, field, message,
severity) so `connector-runtime validate` can show them all at once, and `load_connector`
raises one `ConnectorLoadError` holding the whole list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from runtime._errors import SpecError

__all__ = ["ConnectorLoadError", "Problem", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: `file` relative to the connector root, `field` a dotted path inside it.

    `line` (1-based) is given for problems found in source text (YAML, JavaScript,
    TypeScript). `str(problem)` is the CLI line: `file[:line]: field: [warning: ]message`.
    """

    file: str
    field: str | None
    message: str
    severity: Severity = "error"
    line: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.file}:{self.line}" if self.line else self.file]
        if self.field:
            parts.append(self.field)
        parts.append(f"warning: {self.message}" if self.severity == "warning" else self.message)
        return ": ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape used by `validate --json`."""
        out: dict[str, Any] = {
            "file": self.file,
            "field": self.field,
            "message": self.message,
            "severity": self.severity,
        }
        if self.line is not None:
            out["line"] = self.line
        return out


class ConnectorLoadError(SpecError):
    """The connector cannot be loaded; `.problems` holds every problem found (errors first).

    The message names the first error (`file: field: message`) and how many more there are, so
    a host that only logs the message still sees where to start.
    """

    def __init__(self, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        ordered = errors + [p for p in problems if p.severity != "error"]
        self.problems = ordered
        first = errors[0] if errors else (ordered[0] if ordered else Problem("spec.yml", None, "invalid connector"))
        more = len(errors) - 1
        problem = first.message if more <= 0 else f"{first.message} (and {more} more error{'s' if more > 1 else ''})"
        file = f"{first.file}:{first.line}" if first.line else first.file
        super().__init__(file, first.field, problem, data={"problems": [p.to_dict() for p in ordered]})
