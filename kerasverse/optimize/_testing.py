"""Tiny data and models shared by the optimize tests (not public)."""

import keras
import numpy as np


def separable_data(seed=0, samples=96):
    """Images whose class is the sign of the top half's sum: learnable in a few steps."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, 8, 8, 1)).astype("float32")
    y = (x[:, :4].sum(axis=(1, 2, 3)) > 0).astype("int32")
    return x, y


def small_cnn(batch_norm=True):
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
    if batch_norm:
        x = keras.layers.BatchNormalization()(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(16, activation="relu")(x)
    outputs = keras.layers.Dense(2)(x)
    return keras.Model(inputs, outputs)


def fit(model, x, y, epochs=2, learning_rate=0.01, callbacks=()):
    model.compile(
        keras.optimizers.Adam(learning_rate),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=keras.config.backend() == "jax",
    )
    model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, callbacks=list(callbacks))
    return model


def accuracy(model, x, y):
    return float(np.mean(np.argmax(model.predict(x, verbose=0), axis=-1) == y))
