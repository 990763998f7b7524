"""The one contract every method implementation type fulfils (starlette-style: one callable shape).

An executor takes the connection it runs for, the compiled `MethodImpl`, the SPEC §2 context
(plain JSON) and the call's `CallContext`, and returns the method's JSON output. It raises only
runtime errors (`runtime._errors`); the connection adds the method path and file on the way out.
Executors never build contexts or touch credentials themselves: whatever they need from the
connection goes through the small `ExecutionHost` protocol below, so each executor can be read
(and tested) on its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from runtime._http import RequestLogEntry
    from sandbox import Limits

__all__ = ["CallContext", "ExecutionHost", "Executor", "Stage"]


#: When a method runs relative to the connection (SPEC §2):
#: "pre" - before a connection exists: no credentials, no apiClient;
#: "credentials" - credentials but no apiClient (makeApiClient, refreshCredentials);
#: "full" - credentials and apiClient (every other method).
Stage = str


@dataclass(slots=True)
class CallContext:
    """What one host call accumulates while it runs its method(s).

    `deadline` is on the `time.monotonic()` clock (None: no deadline). `logs` are dicts
    `{"level", "message"}` (redacted), `requests` the API client's request log,
    `credentials_changed` the connection's credentials if they changed during the call.
    Element code (issue 5) creates one per host call and hands it to `run_method` for every
    method it runs, so logs and requests of all of them land in one place.
    """

    limits: Limits
    deadline: float | None
    logs: list[dict[str, Any]] = field(default_factory=list)
    requests: list[RequestLogEntry] = field(default_factory=list)
    credentials_changed: dict[str, Any] | None = None

    def __repr__(self) -> str:  # counts only: logs may quote data and credentials are secret
        creds = "changed" if self.credentials_changed is not None else "unchanged"
        return f"CallContext(deadline={self.deadline!r}, logs={len(self.logs)}, requests={len(self.requests)}, credentials={creds})"


class ExecutionHost(Protocol):
    """What executors need from the connection (implemented by `Connection`)."""

    async def run_javascript(self, impl: Any, ctx: dict[str, Any], call: CallContext, *, stage: Stage) -> Any: ...

    def evaluate(self, program: Any, variables: Mapping[str, Any]) -> Any: ...

    async def api_request(
        self,
        call: CallContext,
        method: str,
        path: str,
        *,
        query: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        source: str,
    ) -> dict[str, Any]: ...

    async def run_operation(self, key: str, input: Any, call: CallContext) -> Any: ...


Executor = Callable[["ExecutionHost", Any, dict[str, Any], CallContext, Stage], Awaitable[Any]]
