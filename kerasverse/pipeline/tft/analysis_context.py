"""How full-pass analyzers run host-side: the same `preprocessing_fn` is called over
batches in an analysis context (analyzers accumulate) and later in an apply context
(analyzers return their fitted values).

During analysis an analyzer's result is not known yet: it returns a `Pending`
array (a numpy subclass that every numpy arithmetic on it propagates). An
analyzer whose input is `Pending` depends on another analyzer, so it waits for
the next pass over the data, when that one is fitted. Passes repeat until
every analyzer is fitted (one pass without nested analyzers).
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any

import numpy as np


class Pending(np.ndarray):
    """A placeholder for a value an analyzer will only know after the pass."""

    __array_priority__ = 1000.0


def pending_like(shape: tuple[int, ...], dtype: Any = np.float64) -> Pending:
    return np.zeros(shape, dtype=dtype).view(Pending)


def is_pending(value: Any) -> bool:
    return isinstance(value, Pending)


class AnalysisContext:
    """Holds the analyzers of one `preprocessing_fn`, by call order."""

    def __init__(self, mode: str, values: list[Any] | None = None) -> None:
        self.mode = mode  # "analyze" or "apply"
        self.values: list[Any] = list(values or [])  # Fitted values, by call index.
        self.fitted: list[bool] = [True] * len(self.values)
        self.accumulators: dict[int, Any] = {}
        self.blocked: set[int] = set()
        self.names: list[str] = []
        self._index = 0

    def start_batch(self) -> None:
        self._index = 0

    def analyzer(self, name: str, inputs: Any, make_accumulator, output_shape, output_dtype=np.float64) -> Any:
        """Called by each analyzer: returns its value (apply) or accumulates (analyze)."""
        index = self._index
        self._index += 1
        if index < len(self.names):
            if self.names[index] != name:
                raise ValueError(
                    f"preprocessing_fn called analyzers in a different order between batches "
                    f"({self.names[index]} then {name} at position {index}). Analyzer calls must not "
                    "depend on the data."
                )
        else:
            self.names.append(name)
        if index < len(self.values) and self.fitted[index]:
            return self.values[index]
        if self.mode == "apply":
            raise ValueError(
                f"The transform has {len(self.values)} fitted analyzers but preprocessing_fn calls "
                f"more ({name} at position {index}). The module file changed after Transform ran: rerun it."
            )
        if any(is_pending(item) for item in (inputs if isinstance(inputs, tuple) else (inputs,))):
            self.blocked.add(index)
        elif index not in self.blocked:
            accumulator = self.accumulators.get(index)
            if accumulator is None:
                accumulator = self.accumulators[index] = make_accumulator()
            accumulator.update(*(inputs if isinstance(inputs, tuple) else (inputs,)))
        return pending_like(output_shape, output_dtype)


_CONTEXT: contextvars.ContextVar[AnalysisContext | None] = contextvars.ContextVar("tft_context", default=None)


def current_context() -> AnalysisContext:
    context = _CONTEXT.get()
    if context is None:
        raise ValueError(
            "tft analyzers (mean, var, scale_to_z_score, compute_and_apply_vocabulary, ...) only work "
            "inside a preprocessing_fn run by the Transform component or a TFTransformOutput."
        )
    return context


@contextlib.contextmanager
def use_context(context: AnalysisContext):
    token = _CONTEXT.set(context)
    try:
        yield context
    finally:
        _CONTEXT.reset(token)
