"""Fixtures for the serving tests: tiny Keras models in version folders and a real server on a free port."""

import os

import numpy as np
import pytest


def small_model(seed: int = 0, units: int = 3):
    """A tiny image classifier: (8, 8, 1) floats -> `units` softmax probabilities."""
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Conv2D(2, 3, activation="relu")(inputs)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(units, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs)


def two_input_model():
    """Named inputs of two dtypes and two outputs."""
    import keras

    keras.utils.set_random_seed(1)
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b", dtype="int32")
    x = keras.layers.Concatenate()([a, keras.layers.Identity()(keras.ops.cast(b, "float32"))])
    score = keras.layers.Dense(1, name="score")(x)
    logits = keras.layers.Dense(2, name="logits")(x)
    return keras.Model({"a": a, "b": b}, [score, logits])


def save_version(base_path: str, version: int, model, filename: str = "model.keras") -> str:
    """Writes `model` to `base_path/version/filename` atomically (as the pipeline's Pusher does)."""
    temporary = os.path.join(base_path, f".tmp-{version}")
    os.makedirs(temporary, exist_ok=True)
    model.save(os.path.join(temporary, filename))
    final = os.path.join(base_path, str(version))
    os.rename(temporary, final)
    return final


def images(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((count, 8, 8, 1), dtype=np.float32)


@pytest.fixture(scope="session")
def model_root(tmp_path_factory):
    """`root/digits/1` (small_model(0)) and `root/pair/1` (two_input_model)."""
    root = str(tmp_path_factory.mktemp("models"))
    save_version(os.path.join(root, "digits"), 1, small_model(0))
    save_version(os.path.join(root, "pair"), 1, two_input_model())
    return root
