"""Operations (SPEC 7): `run` with its input validated and its output checked.

The input must match `inputSchema` (InvalidInputError naming every bad path, before anything
runs). The output is checked against `outputSchema`: a mismatch is a connector bug the host
should see without losing the result, so by default each problem becomes a warning in the
call's logs (`output.items[0].id: is required`); in strict mode it is an OutputSchemaError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runtime._elements._errors import OutputSchemaError
from runtime._elements._model import OperationModel, Runner
from runtime._elements._parameters import prepare_parameters
from runtime._elements._schema import schema_problems
from runtime._elements._sync import Blocking, sync_twins
from runtime._errors import InvalidInputError

__all__ = ["Operation"]

#: Receives (level, message) for the call's logs.
LogSink = Callable[[str, str], None]


@sync_twins("run")
class Operation:
    """One operation of one connection (`run`, and its blocking twin `run_sync`)."""

    blocking: Blocking | None = None

    def __init__(self, model: OperationModel, run: Runner, *, log: LogSink | None = None, strict: bool = False) -> None:
        self.model = model
        self.key = model.key
        self._run = run
        self._log = log or (lambda level, message: None)
        self.strict = strict

    def where(self) -> str:
        """`operations/<key>/run` for errors and logs."""
        return f"operations/{self.key}/run"

    async def run(self, input: Any = None, parameters: Mapping[str, Any] | None = None) -> Any:
        """Validate `input`, run the operation, check its output; the output."""
        resolvers = self.model.resolvers
        problems = schema_problems(self.model.input_schema, {} if input is None else input, root="input", resolvers=resolvers)
        if problems:
            raise InvalidInputError(
                f"{self.where()}: invalid input: " + "; ".join(str(p) for p in problems),
                data={"errors": [{"path": p.path, "message": p.message} for p in problems]},
            )
        params = prepare_parameters(
            self.model.parameters_schema, parameters, self.model.parameters, where=self.where(), resolvers=resolvers
        )
        # No input given: no `input` key in the context (as with a plain method call).
        output = await self._run(self.model.run, {} if input is None else {"input": input}, params or None)
        problems = schema_problems(self.model.output_schema, output, root="output", resolvers=resolvers)
        if problems:
            if self.strict:
                raise OutputSchemaError(
                    f"{self.where()}: output does not match outputSchema: " + "; ".join(str(p) for p in problems),
                    data={"errors": [{"path": p.path, "message": p.message} for p in problems]},
                )
            for p in problems:
                self._log("warn", f"{self.where()}: output does not match outputSchema: {p}")
        return output
