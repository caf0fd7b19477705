"""Tests for the int8-weight CPU kernels (JAX only), against float64 numpy products."""

import os

import keras
import numpy as np
import pytest

from kerasverse.nlp.layers.modeling import int8_kernels

pytestmark = pytest.mark.skipif(keras.config.backend() != "jax", reason="XLA CPU custom calls (JAX)")


@pytest.fixture(scope="module")
def kernels():
    if not int8_kernels.available():
        pytest.fail("The int8 kernels did not build here (a C++ compiler and jaxlib's headers are expected).")
    return int8_kernels


def operands(rows, inner, columns, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((rows, inner)).astype("float32"), rng.integers(-128, 128, (inner, columns)).astype("int8")


# Column counts around the kernel's 16-wide vectors and 128-wide chunks, one
# large enough to be split between threads; rows up to MAX_ROWS.
@pytest.mark.parametrize("rows,inner,columns", [(1, 768, 2304), (3, 64, 100), (16, 130, 7), (2, 3072, 768), (1, 5, 257)])
def test_matmul_equals_the_float_product(kernels, rows, inner, columns):
    import jax

    x, w = operands(rows, inner, columns)
    expected = x.astype("float64") @ w.astype("float64")
    got = np.asarray(jax.jit(kernels.matmul)(x, w))
    assert got.shape == (rows, columns)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


@pytest.mark.parametrize("rows,inner,vocabulary", [(1, 768, 50257), (4, 20, 7), (16, 64, 1027), (2, 33, 4)])
def test_transposed_matmul_equals_the_float_product(kernels, rows, inner, vocabulary):
    import jax

    x, e = operands(rows, inner, vocabulary, seed=1)
    e = np.ascontiguousarray(e.T)  # (vocabulary, inner)
    expected = x.astype("float64") @ e.astype("float64").T
    got = np.asarray(jax.jit(kernels.matmul_transposed)(x, e))
    assert got.shape == (rows, vocabulary)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


def test_inside_a_compiled_loop_and_with_gradients(kernels):
    import jax
    import jax.numpy as jnp

    x, w = operands(2, 32, 32, seed=2)
    scale = np.float32(1 / 256)

    def decode(x):  # Five chained products in a loop, as in generation.
        return jax.lax.fori_loop(0, 5, lambda i, h: jnp.tanh(kernels.matmul(h, w) * scale), x)

    reference = x.astype("float64")
    for _ in range(5):
        reference = np.tanh(reference @ w.astype("float64") * scale)
    np.testing.assert_allclose(np.asarray(jax.jit(decode)(x)), reference, atol=1e-5)
    # d/dx sum(x @ w) is every row of w's row sums; likewise for the transposed product.
    gradient = jax.grad(lambda x: kernels.matmul(x, w).sum())(x)
    np.testing.assert_allclose(np.asarray(gradient), np.tile(w.astype("float32").sum(1), (2, 1)), rtol=1e-6)
    e = np.ascontiguousarray(w.T)
    gradient = jax.grad(lambda x: kernels.matmul_transposed(x, e).sum())(x)
    np.testing.assert_allclose(np.asarray(gradient), np.tile(e.astype("float32").sum(0), (2, 1)), rtol=1e-6)


def test_under_vmap(kernels):
    import jax

    x, w = operands(3, 24, 40, seed=3)
    batched = np.stack([x, 2 * x])
    expected = np.stack([x @ w.astype("float32"), 2 * x @ w.astype("float32")])
    np.testing.assert_allclose(np.asarray(jax.vmap(kernels.matmul, in_axes=(0, None))(batched, w)), expected, rtol=1e-5, atol=1e-3)


def test_usable_only_for_few_float32_rows_and_int8_weights(kernels):
    x, w = operands(int8_kernels.MAX_ROWS, 8, 8)
    assert kernels.usable(x, w)
    assert not kernels.usable(np.zeros((int8_kernels.MAX_ROWS + 1, 8), "float32"), w)
    assert not kernels.usable(x.astype("float16"), w)
    assert not kernels.usable(x, w.astype("float32"))
    assert not kernels.usable(x[None], w)


def test_a_cached_build_is_reused_and_a_failing_compiler_is_reported(kernels, tmp_path, monkeypatch):
    library = kernels.build(tmp_path)
    modified = os.path.getmtime(library)
    assert kernels.build(tmp_path) == library and os.path.getmtime(library) == modified
    monkeypatch.setenv("CXX", "false")  # A "compiler" that fails: a new key, a clear error, no library left.
    with pytest.raises(RuntimeError, match="Compiling int8_matmul.cc failed"):
        kernels.build(tmp_path / "other")
    assert not list((tmp_path / "other").glob("*.so"))
