"""The kerasverse main job on embedded defaults (`make demo`).

Data (scikit-learn's bundled digits) → train a small Keras model → summary
table. Each capability extends this flow: tune → optimize → export.

Run: `make demo` (or `python examples/demo.py --epochs 5`).
"""

import argparse
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402


def load_data(seed=0):
    """Digits as 8x8x1 float images in [0, 1], split 80/20."""
    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")[..., None]
    y = digits.target.astype("int32")
    return train_test_split(x, y, test_size=0.2, random_state=seed, stratify=y)


def build_model(units=64):
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def print_table(rows, columns):
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    x_train, x_test, y_train, y_test = load_data(args.seed)
    print(f"kerasverse demo on {keras.config.backend()}: digits {x_train.shape[0]} train / {x_test.shape[0]} test")

    model = build_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=64, verbose=0)
    train_seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)

    model.predict(x_test[:1], verbose=0)
    start = time.perf_counter()
    for _ in range(20):
        model.predict(x_test[:1], verbose=0)
    latency_ms = (time.perf_counter() - start) / 20 * 1000

    rows = [
        {
            "artifact": "keras (float32)",
            "accuracy": f"{accuracy:.4f}",
            "params": model.count_params(),
            "train s": f"{train_seconds:.1f}",
            "batch-1 ms": f"{latency_ms:.2f}",
        }
    ]
    print()
    print_table(rows, ["artifact", "accuracy", "params", "train s", "batch-1 ms"])
    return rows


if __name__ == "__main__":
    main()
