"""Builds the TF.js sentiment page: a kerasverse.nlp transformer classifier and its tokenizer.

    python examples/tfjs_browser/build_text_site.py SITE_DIR
    python -m http.server --directory SITE_DIR 8000   # then open http://localhost:8000/text.html

The task is generated (sentences praising or panning something, with accents
and capitals). The export in model/ holds model.json, the weights,
kerasverse-layers.js, vocab.txt and tokenizer.json; samples.json holds a few
test sentences with Keras' own token ids and probabilities, which the page
must reproduce.
"""

import argparse
import json
import os
import random
import shutil
from pathlib import Path

import keras
import numpy as np

from kerasverse.export import tfjs
from kerasverse.nlp import layers as nlp_layers
from kerasverse.nlp import tokenizers

HERE = Path(__file__).resolve().parent
TFJS_BUNDLE = HERE.parents[1] / "js" / "node_modules" / "@tensorflow" / "tfjs" / "dist" / "tf.min.js"
POSITIVE = ["great", "wonderful", "superb", "délicieux", "Excellent", "loved"]
NEGATIVE = ["awful", "boring", "terrible", "mauvais", "Horrible", "hated"]
SUBJECTS = ["the movie", "this café", "the Book", "our trip", "le film", "the naïve plot"]
FILLERS = ["was", "is", "felt", "seemed", "truly", "really", "quite", "!", "..."]


def sentences(count, seed):
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(count):
        label = rng.randint(0, 1)
        words = [rng.choice(SUBJECTS)] + rng.sample(FILLERS, 2) + [rng.choice(POSITIVE if label else NEGATIVE)]
        texts.append(" ".join(words))
        labels.append(label)
    return texts, np.array(labels, "int32")


def text_classifier(vocabulary_size, sequence_length=12):
    ids = keras.Input((sequence_length,), dtype="int32")
    x = nlp_layers.TokenAndPositionEmbedding(vocabulary_size, sequence_length, 16, mask_zero=True)(ids)
    x = nlp_layers.TransformerEncoder(32, num_heads=2)(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    return keras.Model(ids, keras.layers.Dense(2, activation="softmax")(x), name="sentiment")


def build_site(site_dir, epochs=4, num_samples=8, seed=0):
    """Trains, exports and writes the page into `site_dir`; returns `(model, tokenizer, samples)`."""
    if not TFJS_BUNDLE.exists():
        raise FileNotFoundError(f"{TFJS_BUNDLE} is missing; run `npm ci --prefix js` first.")
    keras.utils.set_random_seed(seed)
    texts, labels = sentences(400, seed)
    vocabulary = tokenizers.compute_word_piece_vocabulary(texts, 200, lowercase=True, strip_accents=True)
    tokenizer = tokenizers.WordPieceTokenizer(vocabulary, sequence_length=12, lowercase=True, strip_accents=True)
    model = text_classifier(len(vocabulary))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(tokenizer(texts), labels, epochs=epochs, batch_size=32, verbose=0)

    os.makedirs(site_dir, exist_ok=True)
    tfjs.save_model(model, os.path.join(site_dir, "model"), tokenizer=tokenizer)
    for name in ("text.html", "text_app.js"):
        shutil.copy(HERE / name, os.path.join(site_dir, name))
    shutil.copy(TFJS_BUNDLE, os.path.join(site_dir, "tf.min.js"))
    test_texts, test_labels = sentences(num_samples, seed + 1)
    test_texts[0] = "THE MOVIE WAS TRÈS délicieux !"  # accents and capitals, folded like Keras
    ids = tokenizer(test_texts)
    probabilities = np.asarray(keras.ops.convert_to_numpy(model(ids, training=False)))
    samples = {
        "texts": test_texts,
        "labels": test_labels.tolist(),
        "keras_ids": np.asarray(ids).tolist(),
        "keras_probabilities": probabilities.tolist(),
    }
    with open(os.path.join(site_dir, "samples.json"), "w") as file:
        json.dump(samples, file)
    return model, tokenizer, samples


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site_dir")
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    build_site(args.site_dir, epochs=args.epochs)
    print(f"Site written to {args.site_dir}; serve it with: python -m http.server --directory {args.site_dir} 8000 "
          "and open /text.html")
