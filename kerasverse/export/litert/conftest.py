"""Shared fixtures: one small trained classifier, converted once per test session.

TensorFlow start-up and conversion take seconds, so every LiteRT test reads
the files written here instead of converting again.
"""

import importlib.util
import types

import keras
import numpy as np
import pytest

NEEDS_LITERT = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None
    or importlib.util.find_spec("ai_edge_litert") is None,
    reason="needs the [litert] extra (tensorflow-cpu, ai-edge-litert)",
)


def blob_data(num_samples, seed):
    """Images 12x12x1 with a bright blob in one of three places; the place is the class."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=num_samples)
    images = rng.uniform(0.0, 0.3, size=(num_samples, 12, 12, 1)).astype("float32")
    corners = [(1, 1), (1, 7), (7, 4)]
    for index, label in enumerate(labels):
        row, col = corners[label]
        images[index, row : row + 4, col : col + 4, 0] += 0.7
    return images, labels


def tiny_classifier():
    """A small CNN trained for a few epochs on `blob_data` (deterministic)."""
    keras.utils.set_random_seed(7)
    model = keras.Sequential(
        [
            keras.Input((12, 12, 1), name="image"),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy"
    )
    x, y = blob_data(192, seed=0)
    model.fit(x, y, epochs=8, batch_size=32, verbose=0)
    return model


@pytest.fixture(scope="session")
def converted(tmp_path_factory):
    """The tiny classifier and its four `.tflite` files (None/dynamic/float16/int8)."""
    if (
        importlib.util.find_spec("tensorflow") is None
        or importlib.util.find_spec("ai_edge_litert") is None
    ):
        pytest.skip("needs the [litert] extra (tensorflow-cpu, ai-edge-litert)")
    from kerasverse.export import litert

    directory = tmp_path_factory.mktemp("litert")
    model = tiny_classifier()
    x_train, _ = blob_data(64, seed=1)
    x_test, y_test = blob_data(100, seed=2)
    names = {
        "float32": None,
        "dynamic": "dynamic",
        "float16": "float16",
        "int8": "int8",
    }
    files = {
        str(directory / f"{name}.tflite"): quantization
        for name, quantization in names.items()
    }
    litert.export_many(model, files, representative_data=x_train)
    paths = dict(zip(names, files))
    return types.SimpleNamespace(
        model=model, paths=paths, x=x_test, y=y_test, directory=directory
    )
