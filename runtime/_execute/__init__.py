"""Method execution: one executor per implementation type behind one interface (`Executor`)."""

from __future__ import annotations

from runtime._execute._executors import EXECUTORS, executor_for, fill_path
from runtime._execute._types import CallContext, ExecutionHost, Executor, Stage

__all__ = ["EXECUTORS", "CallContext", "ExecutionHost", "Executor", "Stage", "executor_for", "fill_path"]
