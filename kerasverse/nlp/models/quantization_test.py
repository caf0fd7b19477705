"""Quantized inference: `model.quantize("int8" | "int4")` on GPT-2 generation and MiniLM embeddings.

The oracle is the float model. A random GPT-2's logits are near-uniform
(argmax flips on noise), so the GPT-2 tests train a tiny one first on a
deterministic corpus (arithmetic progressions mod the vocabulary: the next
token is certain, and the float model learns it); BERT uses the real
all-MiniLM-L6-v2 checkpoint.
"""

import warnings

import keras
import numpy as np
import pytest

from kerasverse.nlp.layers.modeling import ReversibleEmbedding
from kerasverse.nlp.layers.modeling import int8_kernels
from kerasverse.nlp.layers.modeling import weight_only
from kerasverse.nlp.models import GPT2Backbone
from kerasverse.nlp.models import GPT2CausalLM
from kerasverse.testing import TestCase

VOCABULARY, LENGTH, PROMPT = 100, 16, 3
WEIGHT_ONLY_INT8 = "int8 w-only"


def progressions(starts, steps):
    """Token rows `start, start + step, ...` mod VOCABULARY (1 is added: id 0 stays padding)."""
    return ((starts[:, None] + steps[:, None] * np.arange(LENGTH)[None]) % (VOCABULARY - 1) + 1).astype("int32")


def quantize(model, mode):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Layer LayerNormalization does not have a `quantize` method".
        if mode == WEIGHT_ONLY_INT8:
            model.quantize(config=keras.quantizers.Int8QuantizationConfig(activation_quantizer=None))
        else:
            model.quantize(mode)


_TRAINED = {}


def trained_weights():
    """Weights of a tiny GPT-2 trained on progressions (cached per process)."""
    if "weights" not in _TRAINED:
        keras.utils.set_random_seed(0)
        model = tiny_gpt2()
        rng = np.random.default_rng(0)
        rows = progressions(rng.integers(0, VOCABULARY, 4096), rng.integers(1, 4, 4096))
        inputs = {"token_ids": rows[:, :-1], "padding_mask": np.ones_like(rows[:, :-1])}
        model.compile(optimizer=keras.optimizers.Adam(3e-3), weighted_metrics=[])
        model.fit(inputs, rows[:, 1:], batch_size=64, epochs=4, verbose=0)
        _TRAINED["weights"] = model.get_weights()
    return _TRAINED["weights"]


def tiny_gpt2():
    backbone = GPT2Backbone(
        vocabulary_size=VOCABULARY, num_layers=2, num_heads=2, hidden_dim=64, intermediate_dim=128,
        max_sequence_length=LENGTH, dropout=0.0,
    )
    return GPT2CausalLM(backbone)


def logits_of(model, token_ids):
    """Teacher-forced logits, one eager call (no compilation)."""
    return keras.ops.convert_to_numpy(model({"token_ids": token_ids, "padding_mask": np.ones_like(token_ids)}, training=False))


def prompt_set():
    """16 prompts of 3 tokens (8 start tokens x steps 1 and 2), padded to LENGTH."""
    starts = np.repeat(np.arange(5, 85, 10), 2)
    steps = np.tile([1, 2], 8)
    expected = progressions(starts, steps)
    token_ids = expected.copy()
    token_ids[:, PROMPT:] = 0
    padding_mask = (np.arange(LENGTH)[None] < PROMPT).astype("int32").repeat(len(starts), 0)
    return {"token_ids": token_ids, "padding_mask": padding_mask}, expected


class QuantizedGPT2Test(TestCase):
    def setUp(self):
        super().setUp()
        # Small blocks, so the tiny model goes through the blocked int8 path
        # (64- and 128-row kernels in 32-row blocks; 100 vocabulary rows in
        # 48-row blocks plus a 4-row tail).
        self.enterContext(pytest.MonkeyPatch.context()).setattr(weight_only, "BLOCK_ROWS", 32)
        self.enterContext(pytest.MonkeyPatch.context()).setattr(weight_only, "REVERSE_BLOCK_ROWS", 48)

    @pytest.mark.slow  # Trains a tiny GPT-2 (256 steps; ~5 s on JAX, ~20 s on torch on a loaded 2-core box).
    def test_generation_agrees_with_float(self):
        weights = trained_weights()
        inputs, expected = prompt_set()
        model = tiny_gpt2()
        model.set_weights(weights)
        float_ids = model.generate(inputs, max_length=LENGTH, stop_token_ids=None)["token_ids"]
        float_logits = logits_of(model, expected)
        # The float model learned the task, so its top-1 is not a coin toss.
        self.assertGreater(np.mean(float_ids[:, PROMPT:] == expected[:, PROMPT:]), 0.9)
        agreement = {}
        for mode, min_agreement, max_logit_error in ((WEIGHT_ONLY_INT8, 0.97, 0.05), ("int8", 0.97, 0.05), ("int4", 0.9, 0.3)):
            quantized = tiny_gpt2()
            quantized.set_weights(weights)
            quantize(quantized, mode)
            self.assertEqual(quantized.backbone.token_embedding.quantization_mode, mode.split()[0])
            ids = quantized.generate(inputs, max_length=LENGTH, stop_token_ids=None)["token_ids"]
            logits = logits_of(quantized, expected)
            agreement[mode] = float(np.mean(ids[:, PROMPT:] == float_ids[:, PROMPT:]))
            top1 = float(np.mean(logits.argmax(-1) == float_logits.argmax(-1)))
            error = float(np.abs(logits - float_logits).max() / np.abs(float_logits).max())
            self.assertGreaterEqual(agreement[mode], min_agreement, (mode, agreement[mode]))
            self.assertGreaterEqual(top1, min_agreement, (mode, top1))
            self.assertLess(error, max_logit_error, (mode, error))
        print(f"generated-token agreement with float (16 prompts x 13 tokens): {agreement}")

    def test_unsupported_mode_names_the_layer_and_changes_nothing(self):
        model = tiny_gpt2()
        with self.assertRaisesRegex(ValueError, "ReversibleEmbedding 'token_embedding'.*'float8'.*filters=lambda"):
            model.quantize("float8")
        self.assertTrue(all(layer.quantization_mode is None for layer in model._flatten_layers()))
        with self.assertRaisesRegex(ValueError, "ReversibleEmbedding 'token_embedding'.*'float8'"):
            model.backbone.token_embedding.quantize("float8")
        with self.assertRaisesRegex(ValueError, "int3"):  # Keras' own check of the mode.
            model.quantize("int3")

    def test_blocked_int8_projection_equals_the_layers_own_call(self):
        # No rows for the CPU kernel: the blocked XLA loop.
        self.enterContext(pytest.MonkeyPatch.context()).setattr(int8_kernels, "MAX_ROWS", 0)
        self.check_weight_only_projection()

    def test_int8_kernel_projection_equals_the_layers_own_call(self):
        self.check_weight_only_projection()

    def check_weight_only_projection(self):
        config = keras.quantizers.Int8QuantizationConfig(activation_quantizer=None)
        x = np.random.default_rng(0).standard_normal((2, 3, 64)).astype("float32")
        dense = keras.layers.Dense(96, activation="relu")
        dense.build((None, 3, 64))
        query = keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 16), bias_axes="de")
        query.build((None, 3, 64))
        output = keras.layers.EinsumDense("abcd,cde->abe", output_shape=(None, 64), bias_axes="e")
        output.build((None, 3, 4, 16))
        for layer, inputs in ((dense, x), (query, x), (output, x.reshape(2, 3, 4, 16))):
            expected = keras.ops.convert_to_numpy(layer(inputs))
            layer.quantize("int8", config=config)
            self.assertAllClose(weight_only.project(layer, inputs), layer(inputs), atol=1e-5)
            self.assertAllClose(weight_only.project(layer, inputs), expected, atol=0.05)
        embedding = ReversibleEmbedding(VOCABULARY, 64)
        embedding.build((None,))
        expected = keras.ops.convert_to_numpy(embedding(x, reverse=True))
        embedding.quantize("int8", config=config)
        self.assertAllClose(embedding(x, reverse=True), expected, atol=0.01)

    def test_default_int8_projection_equals_the_layers_own_call(self):
        # Keras' default int8 (int8 inputs too): for few rows on JAX CPU the
        # int8 kernel multiplies the inputs' int8 values; the result and the
        # inputs' gradient must be Keras' own.
        x = np.random.default_rng(1).standard_normal((2, 3, 64)).astype("float32")
        dense = keras.layers.Dense(96, activation="relu")
        dense.build((None, 3, 64))
        output = keras.layers.EinsumDense("abcd,cde->abe", output_shape=(None, 64), bias_axes="e")
        output.build((None, 3, 4, 16))
        embedding = ReversibleEmbedding(VOCABULARY, 64)
        embedding.build((None,))
        def project(layer, inputs):
            return weight_only.project(layer, inputs)

        def own(layer, inputs):
            return layer(inputs)

        def reverse(layer, inputs):
            return layer(inputs, reverse=True)

        def core_reverse(layer, inputs):
            return keras.layers.ReversibleEmbedding._int8_call(layer, inputs, reverse=True)

        def float_reverse(layer, inputs):
            # The straight-through gradient: that of the float product with the int8 weights.
            # (Core's int8 reverse projection has no custom gradient: it differentiates its
            # rounding and scale, unlike core's int8 Dense/EinsumDense.)
            kernel = keras.ops.cast(layer._embeddings, "float32")
            return keras.ops.matmul(inputs, keras.ops.transpose(kernel)) / keras.ops.cast(layer.embeddings_scale, "float32")

        cases = (
            (dense, x, project, own, own),
            (output, x.reshape(2, 3, 4, 16), project, own, own),
            (embedding, x, reverse, core_reverse, float_reverse),
        )
        for layer, inputs, ours, keras_own, gradient_reference in cases:
            layer.quantize("int8")
            self.assertIsNotNone(layer.inputs_quantizer)
            self.assertAllClose(ours(layer, inputs), keras_own(layer, inputs), atol=1e-4, rtol=1e-5)
            if keras.config.backend() == "jax":
                import jax

                def gradient(call, layer=layer, inputs=inputs):
                    return np.asarray(jax.grad(lambda v: keras.ops.sum(keras.ops.tanh(call(layer, v))))(inputs))

                self.assertAllClose(gradient(ours), gradient(gradient_reference), atol=1e-3, rtol=1e-3)


@pytest.mark.slow  # Loads the 23M-parameter checkpoint twice (~10-30 s on 2 cores).
class QuantizedMiniLMTest(TestCase):
    def test_sentence_embeddings_keep_their_direction(self):
        from kerasverse.nlp.models.bert import BertSentenceEmbedder
        from kerasverse.nlp.models.bert.bert_hugging_face_test import SENTENCES
        from kerasverse.nlp.models.bert.bert_hugging_face_test import minilm_dir

        path = minilm_dir()
        sentences = SENTENCES + ["Quantized weights keep sentence embeddings close.", "A woman is slicing an onion."]
        embedder = BertSentenceEmbedder.from_preset(path)
        embedder.preprocessor.sequence_length = 24
        reference = embedder.predict(sentences, verbose=0)

        def cosine(a, b):
            return np.sum(a * b, -1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))

        similarities = {}
        # Keras' default int8 (activations quantized too) is checked on GPT-2 above;
        # here the two weight formats, each a fresh load of the checkpoint.
        for index, (mode, minimum) in enumerate(((WEIGHT_ONLY_INT8, 0.995), ("int4", 0.9))):
            if index:  # Quantization is in place: start again from the float checkpoint.
                embedder = BertSentenceEmbedder.from_preset(path)
                embedder.preprocessor.sequence_length = 24
            quantize(embedder.backbone, mode)  # The task's tokenizer is a layer that cannot be quantized.
            embedder.predict_function = None
            self.assertEqual(embedder.backbone.token_embedding.quantization_mode, mode.split()[0])
            similarities[mode] = cosine(embedder.predict(sentences, verbose=0), reference)
            self.assertGreater(similarities[mode].min(), minimum, (mode, similarities[mode]))
        print({mode: round(float(s.min()), 5) for mode, s in similarities.items()})
