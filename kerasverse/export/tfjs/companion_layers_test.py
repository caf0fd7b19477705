"""kerasverse-layers.js: the layers tfjs-layers 4.22 lacks, checked in real TF.js (Node).

One module-scoped export and one Node process for the comparisons; a second
for the JS `fit` steps. Models are built on the backend under test.
"""

import filecmp
import json
import os

import keras
import numpy as np
import pytest
from keras import layers

from kerasverse.export import tfjs
from kerasverse.export.tfjs.runtime import NodeRuntime
from kerasverse.export.tfjs.save_model import COMPANION_PATH
from kerasverse.export.tfjs.supported_layers import CUSTOM_LAYERS
from kerasverse.export.tfjs.supported_layers import SUPPORTED_LAYERS
from kerasverse.nlp import layers as nlp_layers

MISSING_RUNTIME = NodeRuntime().missing()
REPO_JS = os.path.join(os.path.dirname(COMPANION_PATH), "..", "..", "..", "js", "kerasverse-layers.js")


def _text_classifier():
    keras.utils.set_random_seed(0)
    ids = keras.Input((6,), dtype="int32")
    x = nlp_layers.TokenAndPositionEmbedding(40, 6, 8, mask_zero=True)(ids)
    x = nlp_layers.TransformerEncoder(16, num_heads=3)(x)  # width 8, 3 heads of 2 (keras_hub rounding)
    x = nlp_layers.TransformerDecoder(16, num_heads=2, normalize_first=True, activation="gelu")(x)
    x = layers.GlobalAveragePooling1D()(x)  # masked average, as in Keras
    return keras.Model(ids, layers.Dense(3)(x), name="text_classifier")


def _sequence_model():
    """Keras 3's default GRU, the normalizations tfjs lacks, Identity and PositionEmbedding."""
    keras.utils.set_random_seed(1)
    inputs = keras.Input((5, 3))
    x = layers.GRU(6, return_sequences=True)(inputs)  # reset_after=True
    x = layers.LayerNormalization(rms_scaling=True, epsilon=1e-3)(x)
    x = layers.Add()([x, nlp_layers.PositionEmbedding(7)(x)])
    x = nlp_layers.TransformerDecoder(8, num_heads=2, activation="gelu_approximate")(layers.Identity()(x))
    x = layers.UnitNormalization(axis=[1, 2])(x)
    x = layers.GRU(3, go_backwards=True)(x)
    return keras.Model(inputs, layers.UnitNormalization()(layers.Dense(4)(x)), name="sequence")


def _small_layers_model():
    """The small Keras 3 layers kerasverse-layers.js adds."""
    keras.utils.set_random_seed(2)
    seq, vol = keras.Input((6, 4)), keras.Input((3, 4, 5, 2))
    x = layers.UpSampling1D(2)(layers.Cropping1D((1, 2))(layers.ZeroPadding1D((2, 1))(seq)))
    x = layers.RMSNormalization()(layers.ActivityRegularization(0.01)(x))
    x = layers.Subtract()([x, layers.Dense(4)(x)])
    v = layers.SpatialDropout3D(0.3)(vol)
    pooled = layers.Concatenate()([layers.GlobalAveragePooling3D()(v), layers.GlobalMaxPooling3D()(v)])
    image = layers.SpatialDropout2D(0.3)(layers.Reshape((3, 20, 2))(vol))
    return keras.Model([seq, vol], [x, pooled, layers.Flatten()(image)], name="small_layers")


def _attention_model():
    """MultiHeadAttention (padding mask, causal), Attention and AdditiveAttention on a masked sequence."""
    keras.utils.set_random_seed(3)
    ids = keras.Input((6,), dtype="int32")
    x = layers.Embedding(30, 8, mask_zero=True)(ids)
    x = layers.MultiHeadAttention(2, 4)(x, x)
    x = layers.MultiHeadAttention(2, 3, output_shape=6)(x, x, use_causal_mask=True)
    # Residuals keep the rows distinct (attending over equal rows has no gradient).
    x = layers.Add()([x, layers.AdditiveAttention()([x, x, x])])
    x = layers.Add()([x, layers.Attention(use_scale=True, score_mode="concat")([x, x])])
    x = layers.GlobalAveragePooling1D()(x)
    return keras.Model(ids, layers.Dense(3)(x), name="attention")


def _attention_mask_model():
    """MultiHeadAttention with key, attention_mask and a causal mask; causal dot Attention."""
    keras.utils.set_random_seed(4)
    a, mask = keras.Input((5, 4)), keras.Input((5, 5))
    b, c = layers.Dense(3)(a), layers.Dense(2)(a)
    # dropout > 0: Keras' einsum path (the fused one takes value_dim == key_dim only).
    x = layers.MultiHeadAttention(2, 3, value_dim=2, dropout=0.1)(a, b, key=c, attention_mask=mask, use_causal_mask=True)
    y = layers.Attention(use_scale=True)([x, b, layers.Dense(4)(a)], use_causal_mask=True)
    return keras.Model([a, mask], layers.Concatenate()([x, y]), name="attention_mask")


def _more_layers_model():
    """1D convolutions, adaptive pooling, EinsumDense, 3D reshaping, normalizations, CenterCrop, ReversibleEmbedding,
    CategoryEncoding."""
    keras.utils.set_random_seed(5)
    seq, vol, img, ids = keras.Input((8, 4)), keras.Input((4, 4, 4, 2)), keras.Input((7, 9, 3)), keras.Input((5,), dtype="int32")
    s = layers.Conv1DTranspose(3, 3, strides=2, padding="same", activation="relu")(seq)
    valid = layers.Conv1DTranspose(2, 3, strides=2)(seq)
    s = layers.SeparableConv1D(4, 3, strides=2, padding="same", depth_multiplier=2)(layers.DepthwiseConv1D(3, depth_multiplier=2)(s))
    s = layers.Concatenate()([layers.AdaptiveAveragePooling1D(3)(s), layers.AdaptiveMaxPooling1D(3)(s)])
    e = layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="e")(s)
    e = layers.Normalization()(layers.GroupNormalization(3)(layers.Reshape((3, 6))(e)))
    e = layers.EinsumDense("...b,bc->...c", output_shape=5, bias_axes="c", activation="tanh")(e)
    v = layers.UpSampling3D((1, 2, 1))(layers.Cropping3D(((0, 1), (1, 0), (0, 0)))(layers.ZeroPadding3D(((1, 0), (0, 1), (1, 1)))(vol)))
    v = layers.Concatenate()([layers.Flatten()(layers.AdaptiveMaxPooling3D((2, 3, 2))(v)), layers.Flatten()(layers.AdaptiveAveragePooling3D(2)(v))])
    i = layers.CenterCrop(5, 6)(img)
    i = layers.Concatenate()([layers.Flatten()(layers.AdaptiveAveragePooling2D((2, 4))(i)), layers.Flatten()(layers.AdaptiveMaxPooling2D(3)(i))])
    r = layers.ReversibleEmbedding(12, 4)(ids)
    counts = layers.CategoryEncoding(12, output_mode="count")(ids)
    one_hot = layers.Flatten()(layers.CategoryEncoding(12, output_mode="one_hot")(ids))
    return keras.Model([seq, vol, img, ids], [valid, e, v, i, r, counts, one_hot], name="more_layers")


def _ngram_model():
    """kerasverse.automl's NgramEmbedding, on ids whose bigram hash overflows int32."""
    from kerasverse.automl.keras_layers import NgramEmbedding

    keras.utils.set_random_seed(6)
    ids = keras.Input((6,), dtype="int32")
    x = NgramEmbedding(vocabulary_size=NGRAM_VOCABULARY, num_buckets=997, embedding_dim=4)(ids)
    return keras.Model(ids, layers.Dense(3)(x), name="ngram")


NGRAM_VOCABULARY = 30000


def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _inputs(name):
    rng = np.random.default_rng(0)
    if name == "sequence":
        return rng.standard_normal((3, 5, 3)).astype("float32") * 2
    if name == "small_layers":
        return [rng.standard_normal((2, 6, 4)).astype("float32"), rng.standard_normal((2, 3, 4, 5, 2)).astype("float32")]
    if name == "attention_mask":
        mask = (rng.random((3, 5, 5)) > 0.4).astype("float32")
        mask[:, np.arange(5), np.arange(5)] = 1.0  # Every query sees a key (a fully masked row is backend-defined).
        return [rng.standard_normal((3, 5, 4)).astype("float32"), mask]
    if name == "more_layers":
        shapes = ((2, 8, 4), (2, 4, 4, 4, 2), (2, 7, 9, 3))
        return [rng.standard_normal(shape).astype("float32") for shape in shapes] + [rng.integers(0, 12, (2, 5)).astype("int32")]
    if name == "ngram":
        ids = rng.integers(1, NGRAM_VOCABULARY, (4, 6)).astype("int32")
        ids[0, 4:] = 0  # padding: its tokens and bigrams are left out of the mean
        ids[1, 0] = 0  # a padding id before a token: that bigram is left out too
        # first * 7919 + second * 104729 passes 2**31 (Keras' int32 wraps around) for most bigrams here.
        assert (ids[:, :-1].astype("int64") * 7919 + ids[:, 1:].astype("int64") * 104729 >= 2**31).any()
        return ids
    ids = rng.integers(1, 40 if name == "text_classifier" else 30, (4, 6)).astype("int32")
    ids[0, 3:] = 0  # padding
    ids[1, 5:] = 0
    return ids


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("companion")
    cases = []
    models = (_text_classifier(), _sequence_model(), _attention_model(), _attention_mask_model(), _small_layers_model(),
              _more_layers_model(), _ngram_model())
    for model in models:
        rng = np.random.default_rng(7)
        for variable in model.weights:  # Far from the initial values: every weight matters.
            value = rng.normal(0.0, 0.5, variable.shape)
            if variable.name == "variance":
                value = np.abs(value) + 0.5
            if "float" in str(variable.dtype):
                variable.assign(value.astype("float32"))
        for layer in model.layers:
            if isinstance(layer, layers.Normalization):
                layer.finalize_state()  # As adapt() does: Keras reads its statistics from there.
        out_dir = str(root / model.name)
        tfjs.save_model(model, out_dir)
        cases.append((model, out_dir, _inputs(model.name)))
    return root, cases


@pytest.mark.requires_node
@pytest.mark.skipif(MISSING_RUNTIME is not None, reason=f"TF.js runtime absent: {MISSING_RUNTIME}")
class TestCompanionLayers:
    def test_outputs_match_keras_in_node(self, exported):
        _, cases = exported
        for (model, _, _), result in zip(cases, tfjs.verify_many(cases)):
            assert result.error is None, result.error
            assert result.max_abs_diff <= 1e-5, (model.name, result.max_abs_diff)

    def test_export_ships_the_module_and_says_why(self, exported):
        _, cases = exported
        model, out_dir, _ = cases[0]
        assert filecmp.cmp(os.path.join(out_dir, "kerasverse-layers.js"), COMPANION_PATH, shallow=False)
        assert filecmp.cmp(REPO_JS, COMPANION_PATH, shallow=False)  # js/ holds the same file
        with open(os.path.join(out_dir, "model.json")) as file:
            model_json = json.load(file)
        assert model_json["kerasverse"]["layers"]["global_average_pooling1d"] == (
            "GlobalAveragePooling1D over a masked sequence")
        classes = [layer["class_name"] for layer in model_json["modelTopology"]["model_config"]["config"]["layers"]]
        assert classes[1:3] == ["TokenAndPositionEmbedding", "TransformerEncoder"]
        notes = tfjs.check(model).notes
        assert any(n.startswith("layer `token_and_position_embedding` (TokenAndPositionEmbedding): supported via "
                                "kerasverse-layers.js") for n in notes), notes
        # A model tfjs-layers runs as is gets no companion file.
        plain = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
        plain_dir = os.path.join(str(exported[0]), "plain")
        tfjs.save_model(plain, plain_dir)
        assert sorted(os.listdir(plain_dir)) == ["group1-shard1of1.bin", "model.json"]

    def test_every_companion_layer_is_verified_here(self, exported):
        _, cases = exported
        covered = {type(layer).__name__ for model, _, _ in cases for layer in model.layers}
        covered |= {keras.saving.get_registered_name(type(layer)) for model, _, _ in cases for layer in model.layers}
        companion = {name for name, spec in SUPPORTED_LAYERS.items() if spec.companion} | set(CUSTOM_LAYERS)
        assert companion - covered == set()

    def test_load_model_round_trip(self, exported):
        _, cases = exported
        for model, out_dir, x in cases:
            restored = tfjs.load_model(out_dir)
            for got, want in zip(keras.tree.flatten(restored(x)), keras.tree.flatten(model(x))):
                np.testing.assert_allclose(_numpy(got), _numpy(want), atol=1e-6, err_msg=model.name)

    def test_fit_in_js_lowers_the_loss_and_load_model_reads_it_back(self, exported):
        root, cases = exported
        requests = []
        # (Not attention_mask: its attention dropout makes a few training steps' losses noisy.)
        for model, out_dir, x in cases[:3] + cases[-1:]:
            x = x if isinstance(x, list) else [x]
            target = np.full((len(x[0]),) + tuple(model.output.shape[1:]), 0.5, "float32")
            requests.append({
                "op": "fit", "model_dir": out_dir, "inputs": x, "targets": [target],
                "save_dir": os.path.join(str(root), f"{model.name}_fit"), "epochs": 4, "batch_size": len(x[0]),
                "learning_rate": 0.002, "loss": "meanSquaredError",
            })
        for request, result, (model, _, x) in zip(requests, NodeRuntime().run_batch(requests), cases[:3] + cases[-1:]):
            assert "error" not in result, result.get("error")
            assert result["loss"][-1] < result["loss"][0], (model.name, result["loss"])
            # Gradients reach every weight: the saved weights differ from Keras'.
            restored = tfjs.load_model(request["save_dir"])
            np.testing.assert_allclose(_numpy(restored(x)), result["outputs"][0], atol=1e-5, err_msg=model.name)
            # (A key bias shifts every score of a query equally: softmax ignores it, its gradient is 0.)
            changed = [not np.allclose(a, b) or w.path.endswith("key/bias")
                       for a, b, w in zip(restored.get_weights(), model.get_weights(), model.weights)]
            assert all(changed), (model.name, [w.path for w, c in zip(model.weights, changed) if not c])


class TestRefusals:
    def test_cross_attention_and_untied_embeddings_are_refused(self):
        decoder_input, encoder_input = keras.Input((4, 8)), keras.Input((3, 8))
        outputs = nlp_layers.TransformerDecoder(8, 2, name="dec")(decoder_input, encoder_input)
        problems = tfjs.check(keras.Model([decoder_input, encoder_input], outputs))
        assert any("layer `dec` is called with extra tensor arguments" in p for p in problems), problems
        ids = keras.Input((4,), dtype="int32")
        untied = nlp_layers.TokenAndPositionEmbedding(10, 4, 8, tie_weights=False, name="emb")(ids)
        problems = tfjs.check(keras.Model(ids, untied))
        assert problems == [
            "layer `emb` (TokenAndPositionEmbedding) has `tie_weights=False`; tfjs-layers only supports "
            "`tie_weights=True` (the TF.js layer holds the tied embedding only)."
        ]
        encoder = nlp_layers.TransformerEncoder(8, 2, activation="elu", name="enc")
        problems = tfjs.check(keras.Model(decoder_input, encoder(decoder_input)))
        assert len(problems) == 1 and "layer `enc` (TransformerEncoder) uses activation 'elu'" in problems[0]

    def test_attention_calls_tfjs_cannot_carry_are_refused(self):
        ids = keras.Input((5,), dtype="int32")
        x = layers.Embedding(10, 4, mask_zero=True)(ids)
        out = layers.MultiHeadAttention(2, 2, name="cross")(x, layers.Dense(4)(x))
        problems = tfjs.check(keras.Model(ids, out))
        assert len(problems) == 1, problems
        assert "layer `cross` (MultiHeadAttention) attends from one tensor to another in a masked model" in problems[0]
        image = keras.Input((3, 4, 4))
        out = layers.MultiHeadAttention(2, 2, attention_axes=(1, 2), name="axes")(image, image)
        problems = tfjs.check(keras.Model(image, out))
        assert any("layer `axes` (MultiHeadAttention) takes inputs of rank 4" in p for p in problems), problems
        assert any("has `attention_axes=(1, 2)`" in p for p in problems), problems
        query = keras.Input((3, 4))
        out, _ = layers.MultiHeadAttention(2, 2, name="scores")(query, query, return_attention_scores=True)
        problems = tfjs.check(keras.Model(query, out))
        assert problems == ["layer `scores` (MultiHeadAttention) is called with return_attention_scores=True; "
                            "the TF.js layer returns its output only."]
        assert tfjs.check(keras.Model(query, layers.MultiHeadAttention(2, 2, use_gate=True, name="g")(query, query))) == [
            "layer `g` (MultiHeadAttention) has `use_gate=True`; tfjs-layers only supports `use_gate=False` "
            "(kerasverse-layers.js has no gated attention)."]
