"""`save_model`: a Keras 3 model -> the TF.js Layers format, without TensorFlow."""

import json
import os
import shutil
import tempfile

import keras
import numpy as np

from kerasverse.export.tfjs import quantization
from kerasverse.export.tfjs import weights_manifest
from kerasverse.export.tfjs.errors import UnsupportedModelError
from kerasverse.export.tfjs.supported_layers import COMPANION_FILE
from kerasverse.export.tfjs.supported_layers import supported_layer_names
from kerasverse.export.tfjs.topology import model_topology
from kerasverse.export.tfjs.weight_names import tfjs_weights
from kerasverse.version import __version__

FORMAT = "layers-model"
COMPANION_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), COMPANION_FILE)


def save_model(model, out_dir, quantize=None, shard_size_bytes=4 * 1024 * 1024, tokenizer=None):
    """Writes `model` in the TF.js Layers format (`tf.loadLayersModel` reads it).

    The folder gets `model.json` (`format: "layers-model"`, the Keras config
    tfjs-layers parses as `modelTopology`, and the `weightsManifest`) and the
    weights as `group1-shardKofM.bin` files. Works on any Keras backend and
    never imports TensorFlow. Everything is written to a temporary folder
    first and moved into place at the end, so a failed export leaves nothing.

    Args:
        model: a built Sequential or Functional Keras 3 model (a `Functional`
            subclass is exported as its layer graph).
        out_dir: the folder to create; it must not exist or be empty.
        quantize: None (float32), `"uint8"`, `"uint16"` or `"float16"`: how
            float32 weights are stored. tfjs restores float32 on load; see
            docs/export-tfjs.md for the tolerance of each.
        shard_size_bytes: the largest weight file, in bytes (4 MiB, as the
            official converter).
        tokenizer: optional `kerasverse.nlp.tokenizers.WordPieceTokenizer`
            of a text model: its vocabulary is written as `vocab.txt` and its
            options as `tokenizer.json`, with `kerasverse-layers.js`, whose
            `WordPieceTokenizer` gives the same ids in JS, so a page takes
            raw text.

    Layers tfjs-layers 4.22 lacks (Keras 3's default `GRU(reset_after=True)`,
    `LayerNormalization(rms_scaling=True)`, `UnitNormalization`, `Identity`,
    and kerasverse.nlp's `PositionEmbedding`, `TokenAndPositionEmbedding`,
    `TransformerEncoder`, `TransformerDecoder` without cross-attention) are
    implemented in `kerasverse-layers.js`, which is then written next to
    `model.json`: load it after tfjs and before `tf.loadLayersModel`
    (`require("./kerasverse-layers.js")(tf)` in Node, a `<script>` tag in a
    page). `check(model).notes` lists those layers.

    Returns:
        The path of the written `model.json`.

    Example:

    ```python
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    kerasverse.export.tfjs.save_model(model, "web_model")
    # In JS: const model = await tf.loadLayersModel("web_model/model.json");
    ```
    """
    if quantize is not None and quantize not in quantization.QUANTIZE_DTYPES:
        raise ValueError(f"`quantize` must be None or one of {quantization.QUANTIZE_DTYPES}. Received: quantize={quantize!r}")
    if not isinstance(shard_size_bytes, int) or isinstance(shard_size_bytes, bool) or shard_size_bytes <= 0:
        raise ValueError(f"`shard_size_bytes` must be a positive integer. Received: shard_size_bytes={shard_size_bytes!r}")
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model. Received: {type(model).__name__}")
    out_dir = os.fspath(out_dir)
    if os.path.exists(out_dir) and (not os.path.isdir(out_dir) or os.listdir(out_dir)):
        raise ValueError(
            f"`out_dir` must be a new or empty folder; {out_dir} exists and is not empty. "
            "Pick another folder or delete this one first."
        )
    tokenizer_files = _tokenizer_files(tokenizer)
    topology, problems = model_topology(model)
    if problems:
        raise UnsupportedModelError(problems, supported_layer_names())
    named = [(name, np.asarray(keras.ops.convert_to_numpy(variable))) for name, variable in tfjs_weights(model)]

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".tfjs-export-", dir=parent)
    try:
        manifest = weights_manifest.write_weights(named, staging, quantize=quantize, shard_size_bytes=shard_size_bytes)
        model_json = {
            "format": FORMAT,
            "generatedBy": f"keras v{keras.__version__}",
            "convertedBy": f"kerasverse v{__version__}",
            "modelTopology": {
                "keras_version": topology.pop("keras_version"),
                "backend": topology.pop("backend"),
                "model_config": topology,
            },
            "weightsManifest": manifest,
        }
        for name, text in tokenizer_files.items():
            with open(os.path.join(staging, name), "w", encoding="utf-8", newline="\n") as file:
                file.write(text)
        if tokenizer_files:
            model_json["kerasverse"] = {"companion": COMPANION_FILE, "tokenizer": "tokenizer.json"}
        if problems.companion or tokenizer_files:
            # Layers tfjs-layers lacks: implemented in kerasverse-layers.js (tfjs ignores this key).
            shutil.copyfile(COMPANION_PATH, os.path.join(staging, COMPANION_FILE))
            model_json.setdefault("kerasverse", {"companion": COMPANION_FILE})["layers"] = dict(problems.companion)
        with open(os.path.join(staging, "model.json"), "w") as file:
            json.dump(model_json, file)
        if os.path.isdir(out_dir):
            os.rmdir(out_dir)  # Empty (checked above); rename needs it gone.
        os.rename(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return os.path.join(out_dir, "model.json")


def _tokenizer_files(tokenizer):
    """`{file name: text}` of a WordPiece tokenizer for kerasverse-layers.js."""
    if tokenizer is None:
        return {}
    from kerasverse.nlp.tokenizers import WordPieceTokenizer

    if not isinstance(tokenizer, WordPieceTokenizer):
        raise TypeError(
            "`tokenizer` must be a kerasverse.nlp.tokenizers.WordPieceTokenizer (the tokenizer "
            f"kerasverse-layers.js implements in JS). Received: {type(tokenizer).__name__}"
        )
    config = tokenizer.get_config()
    if config.get("special_tokens_in_strings"):
        raise ValueError(
            "The JS WordPieceTokenizer does not match special tokens inside strings. "
            "Received: a tokenizer with special_tokens_in_strings=True"
        )
    vocabulary = tokenizer.get_vocabulary()
    bad = [token for token in vocabulary if not token or any(c.isspace() or ord(c) < 32 for c in token)]
    if bad:
        raise ValueError(
            "A vocabulary file holds one token per line; these tokens cannot be written: "
            f"{bad[:5]}. Received: a vocabulary with {len(bad)} such token(s)"
        )
    keys = ("lowercase", "strip_accents", "split", "split_on_cjk", "suffix_indicator", "oov_token", "sequence_length")
    options = {key: config.get(key) for key in keys}
    options["vocabulary"] = "vocab.txt"
    return {"vocab.txt": "".join(f"{token}\n" for token in vocabulary), "tokenizer.json": json.dumps(options, indent=1)}
