"""`TestCase`: the shared test helper for kerasverse layers and models.

In the spirit of `keras.src.testing.TestCase.run_layer_test`: one call checks
what every Keras object we ship must satisfy, on whichever backend
`KERAS_BACKEND` selects (the same test file runs under JAX and PyTorch).
"""

import os
import tempfile
import unittest

import keras
import numpy as np
from keras import ops
from keras import tree


def _to_numpy(x):
    if isinstance(x, np.ndarray):
        return x
    return np.asarray(ops.convert_to_numpy(x))


def _random_input(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    if dtype is not None and "int" in str(dtype):
        return rng.integers(0, 10, size=shape).astype(dtype)
    return rng.standard_normal(size=shape).astype(dtype or "float32")


def _shape_of(x):
    return tuple(int(d) for d in ops.shape(x))


def _symbolic_like(x):
    """A `keras.Input` with the shape (less the batch) and dtype of `x`."""
    x = np.asarray(x) if not hasattr(x, "shape") else x
    return keras.Input(shape=_shape_of(x)[1:], dtype=str(keras.backend.standardize_dtype(x.dtype)))


class TestCase(unittest.TestCase):
    """Base class for kerasverse tests.

    Gives backend-agnostic assertions (`assertAllClose`, `assertAllEqual`), a
    temporary directory per test (`self.get_temp_dir()`) and the two heavy
    helpers `run_layer_test` and `run_model_test`.

    Example:

    ```python
    from kerasverse.testing import TestCase

    class LeakyReLUTest(TestCase):
        def test_layer(self):
            self.run_layer_test(
                keras.layers.LeakyReLU,
                init_kwargs={"negative_slope": 0.2},
                input_shape=(2, 3),
                expected_output_shape=(2, 3),
            )
    ```
    """

    maxDiff = None

    def setUp(self):
        super().setUp()
        keras.backend.clear_session()
        keras.utils.set_random_seed(1337)

    def get_temp_dir(self):
        temp_dir = tempfile.mkdtemp()
        self.addCleanup(lambda: _rmtree(temp_dir))
        return temp_dir

    # ------------------------------------------------------------------ asserts
    def assertAllClose(self, x1, x2, atol=1e-6, rtol=1e-6, msg=None):
        flat1, flat2 = tree.flatten(x1), tree.flatten(x2)
        self.assertEqual(len(flat1), len(flat2), msg or "Structures differ in length.")
        for a, b in zip(flat1, flat2):
            np.testing.assert_allclose(_to_numpy(a), _to_numpy(b), atol=atol, rtol=rtol, err_msg=msg or "")

    def assertAllEqual(self, x1, x2, msg=None):
        flat1, flat2 = tree.flatten(x1), tree.flatten(x2)
        self.assertEqual(len(flat1), len(flat2), msg or "Structures differ in length.")
        for a, b in zip(flat1, flat2):
            np.testing.assert_array_equal(_to_numpy(a), _to_numpy(b), err_msg=msg or "")

    def assertNotAllClose(self, x1, x2, atol=1e-6, rtol=1e-6, msg=None):
        try:
            self.assertAllClose(x1, x2, atol=atol, rtol=rtol)
        except AssertionError:
            return
        raise AssertionError(msg or f"Expected values to differ, got {x1} and {x2}.")

    # --------------------------------------------------------------- layer test
    def run_layer_test(
        self,
        layer_cls,
        init_kwargs,
        input_shape=None,
        input_dtype="float32",
        input_data=None,
        expected_output_shape=None,
        expected_output_dtype=None,
        expected_num_trainable_weights=None,
        expected_num_non_trainable_weights=None,
        run_training_check=True,
        run_jit_check=True,
        run_saving_check=True,
        custom_objects=None,
        tolerance=1e-6,
    ):
        """Checks a layer class end to end.

        Args:
            layer_cls: the layer class.
            init_kwargs: dict of constructor arguments.
            input_shape: shape (or nested structure of shapes) of random
                input to make; use `input_data` instead for fixed inputs.
            input_dtype: dtype of the random input.
            input_data: the input itself (array or nested structure).
            expected_output_shape: shape (or structure of shapes) of the
                output, batch dimension included.
            expected_output_dtype: dtype string of the output(s).
            expected_num_trainable_weights: count to check after a call.
            expected_num_non_trainable_weights: count to check after a call.
            run_training_check: fit one step on zeros targets (only when the
                layer has trainable weights) and check the loss is finite and
                weights moved.
            run_jit_check: run the layer inside the trainer's `predict`
                (under `jax.jit` on JAX) and check it matches the eager call.
            run_saving_check: `.keras` save and load give identical outputs.
            custom_objects: passed to `keras.saving.load_model`.
            tolerance: absolute/relative tolerance of output comparisons.
        """
        if input_data is None and input_shape is None:
            raise ValueError("Pass `input_shape` or `input_data`. Received neither.")
        if input_data is None:
            input_data = tree.map_shape_structure(
                lambda s: _random_input(s, input_dtype, 1), input_shape
            )

        # 1. Config round trip.
        layer = layer_cls(**init_kwargs)
        config = layer.get_config()
        for key in init_kwargs:
            self.assertIn(key, config, f"`get_config()` of {layer_cls.__name__} misses `{key}`.")
        revived = layer_cls.from_config(config)
        self.assertEqual(revived.get_config(), config)
        serialized = keras.saving.serialize_keras_object(layer)
        revived = keras.saving.deserialize_keras_object(serialized, custom_objects=custom_objects)
        self.assertEqual(type(revived), layer_cls)

        # 2. Eager call: shapes, dtypes, weight counts.
        output = layer(input_data)
        if expected_output_shape is not None:
            self._assert_output_shapes(expected_output_shape, output)
        if expected_output_dtype is not None:
            for out in tree.flatten(output):
                self.assertEqual(keras.backend.standardize_dtype(out.dtype), expected_output_dtype)
        if expected_num_trainable_weights is not None:
            self.assertLen(layer.trainable_weights, expected_num_trainable_weights)
        if expected_num_non_trainable_weights is not None:
            self.assertLen(layer.non_trainable_weights, expected_num_non_trainable_weights)

        # 3. The same layer inside a functional model (symbolic build).
        symbolic_inputs = tree.map_structure(_symbolic_like, input_data)
        model = keras.Model(symbolic_inputs, layer(symbolic_inputs))
        eager_output = model(input_data)

        if run_jit_check:
            self._check_jit(model, input_data, eager_output, tolerance)
        if run_saving_check:
            self._check_saving(model, input_data, eager_output, custom_objects, tolerance)
        if run_training_check and layer.trainable_weights:
            self._check_training(model, input_data)
        return output

    # --------------------------------------------------------------- model test
    def run_model_test(
        self,
        model,
        input_data,
        expected_output_shape=None,
        target_data=None,
        loss="mse",
        run_training_check=True,
        run_jit_check=True,
        run_saving_check=True,
        run_config_check=True,
        custom_objects=None,
        tolerance=1e-5,
    ):
        """Checks a built (or buildable) Keras model end to end.

        Args:
            model: a `keras.Model` instance.
            input_data: inputs for `model(...)`.
            expected_output_shape: shape (or structure of shapes) expected.
            target_data: targets for the training check (zeros like the
                output when omitted).
            loss: the loss used by the training check.
            run_training_check: one `fit` step; the loss is finite and the
                trainable weights change.
            run_jit_check: the trainer's `predict` (under `jax.jit` on JAX)
                matches the eager call.
            run_saving_check: `.keras` save and load give identical outputs.
            run_config_check: `from_config(get_config())` plus the same
                weights gives identical outputs.
            custom_objects: passed to `keras.saving.load_model`.
            tolerance: tolerance of output comparisons.
        """
        output = model(input_data)
        if expected_output_shape is not None:
            self._assert_output_shapes(expected_output_shape, output)
        if run_config_check:
            with keras.saving.custom_object_scope(custom_objects or {}):
                clone = model.__class__.from_config(model.get_config())
            clone(input_data)
            clone.set_weights(model.get_weights())
            self.assertAllClose(clone(input_data), output, atol=tolerance, rtol=tolerance)
        if run_jit_check:
            self._check_jit(model, input_data, output, tolerance)
        if run_saving_check:
            self._check_saving(model, input_data, output, custom_objects, tolerance)
        if run_training_check and model.trainable_weights:
            self._check_training(model, input_data, target_data, loss)
        return output

    # ----------------------------------------------------------------- internals
    def _assert_output_shapes(self, expected_output_shape, output):
        expected = [
            s.shape
            for s in tree.flatten(
                tree.map_shape_structure(lambda s: _Shape(s), expected_output_shape)
            )
        ]
        actual = [_shape_of(x) for x in tree.flatten(output)]
        self.assertEqual(expected, actual, "Output shapes differ from the expected ones.")

    def _check_jit(self, model, input_data, expected, tolerance):
        # JAX: `predict` runs under `jax.jit`. PyTorch: Keras' torch trainer
        # runs eagerly unless asked for `torch.compile`, which costs ~20 s per
        # process here; the compiled path is checked on JAX, the trainer's
        # `predict` path on both.
        model.compile(jit_compile=keras.config.backend() == "jax")
        batch_size = _shape_of(tree.flatten(input_data)[0])[0]
        jitted = model.predict(input_data, batch_size=batch_size, verbose=0)
        self.assertAllClose(jitted, expected, atol=tolerance, rtol=tolerance)

    def _check_saving(self, model, input_data, expected, custom_objects, tolerance):
        path = os.path.join(self.get_temp_dir(), "model.keras")
        model.save(path)
        restored = keras.saving.load_model(path, custom_objects=custom_objects)
        self.assertAllClose(restored(input_data), expected, atol=tolerance, rtol=tolerance)

    def _check_training(self, model, input_data, target_data=None, loss="mse"):
        if target_data is None:
            output = model(input_data)
            target_data = tree.map_structure(lambda x: np.zeros(_shape_of(x), "float32"), output)
        before = [_to_numpy(w).copy() for w in model.trainable_weights]
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss, jit_compile=False)
        batch_size = _shape_of(tree.flatten(input_data)[0])[0]
        history = model.fit(input_data, target_data, batch_size=batch_size, epochs=1, verbose=0)
        loss_value = history.history["loss"][-1]
        self.assertTrue(np.isfinite(loss_value), f"Training loss is not finite: {loss_value}")
        after = [_to_numpy(w) for w in model.trainable_weights]
        moved = any(not np.array_equal(a, b) for a, b in zip(before, after))
        self.assertTrue(moved, "No trainable weight changed after one training step.")

    def assertLen(self, container, expected_len, msg=None):
        self.assertEqual(len(container), expected_len, msg)


class _Shape:
    """Wraps a shape tuple so `tree.flatten` keeps it as one leaf."""

    def __init__(self, shape):
        self.shape = tuple(None if d is None else int(d) for d in shape)


def _rmtree(path):
    import shutil

    shutil.rmtree(path, ignore_errors=True)
