"""Builds the TF.js digits page: trains a small Keras 3 classifier and exports it.

    python examples/tfjs_browser/build_site.py SITE_DIR
    python -m http.server --directory SITE_DIR 8000   # then open http://localhost:8000

The site holds index.html, app.js, tf.min.js (from js/node_modules, see
`npm ci --prefix js`), the export in model/ and samples.json (a few test
digits with Keras' own probabilities, which the page must reproduce).
"""

import argparse
import json
import os
import shutil
from pathlib import Path

import keras
import numpy as np
from sklearn.datasets import load_digits

from kerasverse.export import tfjs

HERE = Path(__file__).resolve().parent
TFJS_BUNDLE = HERE.parents[1] / "js" / "node_modules" / "@tensorflow" / "tfjs" / "dist" / "tf.min.js"


def digits_classifier():
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Rescaling(1 / 16.0),
            keras.layers.Conv2D(8, 3, activation="relu", padding="same"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="digits",
    )


def build_site(site_dir, epochs=8, num_samples=8, seed=0):
    """Trains, exports and writes the page into `site_dir` (new or empty).

    Returns:
        `(model, samples)`: the Keras model and the samples dict written to
        samples.json (`images`, `labels`, `keras_probabilities`).
    """
    if not TFJS_BUNDLE.exists():
        raise FileNotFoundError(f"{TFJS_BUNDLE} is missing; run `npm ci --prefix js` first.")
    keras.utils.set_random_seed(seed)
    digits = load_digits()
    images = digits.images.astype("float32")[..., None]
    labels = digits.target.astype("int32")
    train, test = slice(0, 1500), slice(1500, 1500 + num_samples)
    model = digits_classifier()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(images[train], labels[train], epochs=epochs, batch_size=64, verbose=0)

    os.makedirs(site_dir, exist_ok=True)
    tfjs.save_model(model, os.path.join(site_dir, "model"))
    for name in ("index.html", "app.js"):
        shutil.copy(HERE / name, os.path.join(site_dir, name))
    shutil.copy(TFJS_BUNDLE, os.path.join(site_dir, "tf.min.js"))
    probabilities = np.asarray(keras.ops.convert_to_numpy(model(images[test], training=False)))
    samples = {
        "images": images[test, :, :, 0].tolist(),
        "labels": labels[test].tolist(),
        "keras_probabilities": probabilities.tolist(),
    }
    with open(os.path.join(site_dir, "samples.json"), "w") as file:
        json.dump(samples, file)
    return model, samples


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site_dir")
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args()
    build_site(args.site_dir, epochs=args.epochs)
    print(f"Site written to {args.site_dir}; serve it with: python -m http.server --directory {args.site_dir} 8000")
