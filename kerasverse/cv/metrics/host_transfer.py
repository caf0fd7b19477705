"""Moving metric inputs to host Python code from inside a compiled train/test step.

COCO evaluation is host work (numpy, variable box counts), but Keras runs
`update_state` inside the compiled step: `jax.jit` on JAX (the default), and
on torch eagerly unless `jit_compile=True` asks for `torch.compile`. These
helpers let a host-side metric work in all three cases:

- JAX: `jax.experimental.io_callback(..., ordered=True)` runs the host
  function with numpy arrays each time the compiled step executes, in step
  order; `wait_for_host()` (`jax.effects_barrier()`) waits for pending calls.
- torch: the host function is excluded from `torch.compile` graphs
  (`torch.compiler.disable`), so it runs eagerly on real tensors.
- eager (any backend): a plain call.
"""

import keras
import numpy as np


def _jax_is_tracing():
    # Every jax.numpy operation is staged out while a function is being traced,
    # so a fresh array is a tracer exactly when we are inside `jax.jit` & co.
    import jax
    import jax.numpy as jnp

    return isinstance(jnp.zeros(()), jax.core.Tracer)


def in_compiled_function():
    """True while tracing a JAX function (the host code cannot see values there)."""
    return keras.config.backend() == "jax" and _jax_is_tracing()


def send_to_host(fn, *trees):
    """Calls `fn(*trees)` with numpy arrays, now (eager) or whenever the compiled step runs.

    Args:
        fn: host function taking the trees of numpy arrays; returns nothing.
        *trees: nested structures of tensors.
    """
    backend = keras.config.backend()
    if backend == "jax" and _jax_is_tracing():
        import jax
        from jax.experimental import io_callback

        trees = jax.tree_util.tree_map(jax.lax.stop_gradient, trees)
        io_callback(lambda *args: fn(*_numpy_tree(args)), None, *trees, ordered=True)
        return
    if backend == "torch":
        import torch

        torch.compiler.disable(lambda: fn(*_numpy_tree(trees)))()
        return
    fn(*_numpy_tree(trees))


def read_from_host(fn, size):
    """Inside a traced JAX function: a float32 `(size,)` tensor that `fn()` fills on the host.

    The call is ordered after the `send_to_host` calls of the same step.
    """
    import jax
    from jax.experimental import io_callback

    shape = jax.ShapeDtypeStruct((size,), np.float32)
    return io_callback(lambda: np.asarray(fn(), np.float32), shape, ordered=True)


def call_on_host(fn, *args):
    """`fn(*args)` outside any compiled graph, after pending host calls have run."""
    wait_for_host()
    if keras.config.backend() == "torch":
        import torch

        return torch.compiler.disable(fn)(*args)
    return fn(*args)


def wait_for_host():
    """Waits until every host call issued by compiled steps so far has run."""
    if keras.config.backend() == "jax":
        import jax

        jax.effects_barrier()


def _numpy_tree(tree):
    return keras.tree.map_structure(lambda x: np.asarray(keras.ops.convert_to_numpy(x)), tree)
