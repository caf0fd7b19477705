"""What the graph tells its blocks while it builds a trial's model (data facts)."""

import contextlib
import contextvars

_CONTEXT = contextvars.ContextVar("kerasverse_automl_graph_context", default=None)


def graph_context():
    """The current build's facts: `vocabulary_size`, `statistics` (mean and
    variance of the input tensors, keyed by `id(tensor)`), or {} outside a build."""
    return _CONTEXT.get() or {}


@contextlib.contextmanager
def building(context):
    token = _CONTEXT.set(context)
    try:
        yield
    finally:
        _CONTEXT.reset(token)
