"""Int8-weight matrix products as XLA CPU custom calls (JAX, few activation rows).

Decoding multiplies a few activation rows by every weight matrix per token,
so its speed is how fast the weights stream from memory. XLA CPU converts an
int8 matrix to float32 in a pass of its own before multiplying, which costs
more than the bytes int8 saves (see `weight_only`). `int8_matmul.cc` beside
this file holds two kernels that read each int8 weight once and widen it in
registers:

- `matmul(x, w)`: `x @ w` for `x` (M, K) float32 and `w` (K, N) int8;
- `matmul_transposed(x, e)`: `x @ e.T` for `e` (V, K) int8 (tied embedding
  logits).

Both return the unscaled product (the caller divides by the per-channel
scale, as Keras' int8 layers do) and equal the float product of the widened
weights up to float32 summation order.

The kernels are compiled on first use with the machine's C++ compiler
(`$CXX`, else `g++`/`c++`; `-O3 -march=native`, the AVX-512 path where the
CPU has it) against the XLA FFI headers that ship with jaxlib, cached under
`$KERASVERSE_CACHE_DIR/kernels` (default `~/.cache/kerasverse/kernels`) and
registered with `jax.ffi`. Without a compiler, on another JAX platform, or
with `KERASVERSE_INT8_KERNELS=0`, `available()` is False and callers use the
XLA path.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("int8_matmul.cc")
# Activation rows (batch x positions) up to which the kernels are used: each
# row re-reads the weights from cache, so a long prompt's prefill is faster
# as one XLA matrix product.
MAX_ROWS = 16

_TARGETS = {"matmul": ("kerasverse_int8_matmul", "KvInt8Matmul"),
            "matmul_transposed": ("kerasverse_int8_matmul_transposed", "KvInt8MatmulTransposed")}


def _cache_dir() -> Path:
    root = os.environ.get("KERASVERSE_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "kerasverse")
    return Path(root) / "kernels"


def _compiler() -> str | None:
    for name in (os.environ.get("CXX"), "g++", "c++", "clang++"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next((line for line in f if line.startswith("flags")), "")
    except OSError:
        return ""


def build(cache_dir: Path | None = None) -> Path:
    """Compiles `int8_matmul.cc` for this machine and jaxlib; returns the library's path.

    The library's name carries a hash of the source, the jaxlib version, the
    compiler and the CPU's flags, so a cached build is reused only where it
    was made for. Raises `RuntimeError` (with the compiler's output) when the
    build fails.
    """
    import jax
    import jaxlib

    compiler = _compiler()
    if compiler is None:
        raise RuntimeError("No C++ compiler found (set $CXX, or install g++).")
    flags = ["-O3", "-march=native", "-std=c++17", "-shared", "-fPIC", "-w", f"-I{jax.ffi.include_dir()}"]
    source = SOURCE.read_bytes()
    key = hashlib.sha256(b"\0".join([
        source, jaxlib.__version__.encode(), compiler.encode(), " ".join(flags).encode(), _cpu_flags().encode(),
    ])).hexdigest()[:16]
    directory = Path(cache_dir) if cache_dir is not None else _cache_dir()
    library = directory / f"int8_matmul-{key}.so"
    if library.exists():
        return library
    directory.mkdir(parents=True, exist_ok=True)
    # Built beside its final name and renamed: processes building at once
    # each publish a complete library.
    handle, partial = tempfile.mkstemp(suffix=".so", dir=directory)
    os.close(handle)
    try:
        completed = subprocess.run([compiler, *flags, str(SOURCE), "-o", partial], capture_output=True, text=True)
        if completed.returncode != 0:
            raise RuntimeError(f"Compiling {SOURCE.name} failed ({compiler}):\n{completed.stderr[-4000:]}")
        os.replace(partial, library)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return library


@functools.lru_cache(maxsize=1)
def _register() -> bool:
    import jax

    library = ctypes.cdll.LoadLibrary(str(build()))
    for target, symbol in _TARGETS.values():
        jax.ffi.register_ffi_target(target, jax.ffi.pycapsule(getattr(library, symbol)), platform="cpu")
    return True


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Whether the kernels can be used here (JAX backend on CPU, built and registered).

    Builds them on the first call. A failed build is logged once, at
    warning level, and the callers fall back to XLA's own products.
    """
    import keras

    if os.environ.get("KERASVERSE_INT8_KERNELS", "1") == "0" or keras.config.backend() != "jax":
        return False
    try:
        import jax

        if jax.default_backend() != "cpu":
            return False
        return _register()
    except Exception as error:  # No compiler, other headers, ...: use XLA's path.
        logger.warning("kerasverse: int8 CPU kernels unavailable, using XLA's int8 path (%s).", error)
        return False


def usable(x, weights) -> bool:
    """Whether `x` (M, K) and int8 `weights` suit the kernels (float32, M <= MAX_ROWS)."""
    return (
        len(x.shape) == 2
        and x.shape[0] is not None
        and x.shape[0] <= MAX_ROWS
        and str(x.dtype) == "float32"
        and str(weights.dtype) == "int8"
        and available()
    )


def _ffi_call(name, x, weights, columns):
    import jax
    import jax.numpy as jnp

    target = _TARGETS[name][0]
    # Under `jax.vmap` the product runs once per batch element ("sequential").
    return jax.ffi.ffi_call(target, jax.ShapeDtypeStruct((x.shape[0], columns), jnp.float32),
                            vmap_method="sequential")(x, weights)


def _with_input_gradient(name, columns, input_gradient):
    """The custom call `name` with a gradient for `x` only (int8 weights get none)."""
    import jax

    @jax.custom_vjp
    def product(x, weights):
        return _ffi_call(name, x, weights, columns(weights))

    product.defvjp(lambda x, weights: (product(x, weights), weights),
                   lambda weights, grad: (input_gradient(grad, weights.astype(grad.dtype)), None))
    return product


@functools.lru_cache(maxsize=1)
def _differentiable():
    """`(matmul, matmul_transposed)`, differentiable in `x`."""
    import jax.numpy as jnp

    return (
        _with_input_gradient("matmul", lambda w: w.shape[1], lambda grad, w: jnp.matmul(grad, w.T)),
        _with_input_gradient("matmul_transposed", lambda e: e.shape[0], lambda grad, e: jnp.matmul(grad, e)),
    )


def matmul(x, w):
    """`x @ float(w)` for `x` (M, K) float32 and `w` (K, N) int8 (JAX arrays)."""
    return _differentiable()[0](x, w)


def matmul_transposed(x, e):
    """`x @ float(e).T` for `x` (M, K) float32 and `e` (V, K) int8 (JAX arrays)."""
    return _differentiable()[1](x, e)
