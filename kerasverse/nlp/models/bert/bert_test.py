"""BERT family: backbone, tokenizer, preprocessor, tasks and presets on a tiny random model."""

import os

import keras
import numpy as np
import pytest
from keras import ops

from kerasverse.nlp.models.bert import BertBackbone
from kerasverse.nlp.models.bert import BertSentenceEmbedder
from kerasverse.nlp.models.bert import BertTextClassifier
from kerasverse.nlp.models.bert import BertTextClassifierPreprocessor
from kerasverse.nlp.models.bert import BertTokenizer
from kerasverse.testing import TestCase

VOCABULARY = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "dog", "sat", "ran", "a", "on", "mat", "##s", "."]


def tiny_backbone(**kwargs):
    return BertBackbone(
        vocabulary_size=len(VOCABULARY), num_layers=2, num_heads=2, hidden_dim=8, intermediate_dim=16,
        max_sequence_length=12, dropout=0.0, **kwargs,
    )


def tiny_preprocessor(sequence_length=8):
    return BertTextClassifierPreprocessor(BertTokenizer(VOCABULARY, lowercase=True), sequence_length=sequence_length)


class BertBackboneTest(TestCase):
    def test_backbone(self):
        inputs = {
            "token_ids": np.array([[2, 5, 6, 3, 0], [2, 7, 8, 9, 3]], "int32"),
            "segment_ids": np.zeros((2, 5), "int32"),
            "padding_mask": np.array([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]], "int32"),
        }
        self.run_model_test(
            tiny_backbone(),
            inputs,
            expected_output_shape={"pooled_output": (2, 8), "sequence_output": (2, 5, 8)},
            run_training_check=False,
        )

    def test_padding_does_not_change_real_tokens(self):
        backbone = tiny_backbone()
        short = {"token_ids": np.array([[2, 5, 6, 3]]), "segment_ids": np.zeros((1, 4), "int32"), "padding_mask": np.ones((1, 4), "int32")}
        padded = {"token_ids": np.array([[2, 5, 6, 3, 0, 0]]), "segment_ids": np.zeros((1, 6), "int32"), "padding_mask": np.array([[1, 1, 1, 1, 0, 0]])}
        a = ops.convert_to_numpy(backbone(short)["sequence_output"])
        b = ops.convert_to_numpy(backbone(padded)["sequence_output"])
        self.assertAllClose(a, b[:, :4], atol=1e-5)

    def test_too_long_sequence_errors(self):
        backbone = tiny_backbone()
        inputs = {"token_ids": np.ones((1, 13), "int32"), "segment_ids": np.zeros((1, 13), "int32"), "padding_mask": np.ones((1, 13), "int32")}
        with pytest.raises(ValueError, match="sequence_length=12"):
            backbone(inputs)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="Received: num_layers=0"):
            BertBackbone(vocabulary_size=10, num_layers=0, num_heads=2, hidden_dim=8, intermediate_dim=16)
        with pytest.raises(ValueError, match="divisible"):
            BertBackbone(vocabulary_size=10, num_layers=1, num_heads=3, hidden_dim=8, intermediate_dim=16)


class BertPreprocessorTest(TestCase):
    def test_single_and_pair_packing(self):
        preprocessor = tiny_preprocessor(sequence_length=8)
        x = preprocessor(["The cats sat."])
        self.assertAllEqual(x["token_ids"], np.array([[2, 5, 6, 13, 8, 14, 3, 0]]))
        self.assertAllEqual(x["padding_mask"], np.array([[1, 1, 1, 1, 1, 1, 1, 0]]))
        x = preprocessor((["the cat sat on a mat"], ["a dog ran"]))
        # Round robin: 8 - 3 specials leave 5 tokens, dealt in turn: 3 to the first segment, 2 to the second.
        self.assertAllEqual(x["token_ids"], np.array([[2, 5, 6, 8, 3, 10, 7, 3]]))
        self.assertAllEqual(x["segment_ids"], np.array([[0, 0, 0, 0, 0, 1, 1, 1]]))

    def test_bad_input(self):
        preprocessor = tiny_preprocessor()
        with pytest.raises(ValueError, match="empty batch"):
            preprocessor([])
        with pytest.raises(TypeError, match="Received: int"):
            preprocessor(3)


class BertTasksTest(TestCase):
    def test_classifier_fits_raw_strings_and_round_trips_preset(self):
        keras.utils.set_random_seed(0)
        classifier = BertTextClassifier(tiny_backbone(), num_classes=2, preprocessor=tiny_preprocessor(), dropout=0.0)
        classifier.compile(optimizer=keras.optimizers.Adam(0.01), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        texts = ["the cat sat", "the dog ran", "a cat sat on a mat", "a dog ran"] * 4
        labels = np.array([0, 1, 0, 1] * 4)
        # The two classes tokenize differently: the signal the classifier learns from.
        packed = classifier.preprocessor(["the cat sat", "the dog ran"])
        packed = packed[0] if isinstance(packed, tuple) else packed
        token_ids = keras.ops.convert_to_numpy(packed["token_ids"])
        self.assertFalse(np.array_equal(token_ids[0], token_ids[1]), token_ids)
        # 40 steps (it once stayed at ln 2 after 16 in a full JAX run, never in isolation).
        history = classifier.fit(texts, labels, batch_size=8, epochs=20, verbose=0)
        self.assertLess(history.history["loss"][-1], history.history["loss"][0])
        preset = self.get_temp_dir()
        classifier.save_to_preset(preset)
        for name in ("config.json", "model.weights.h5", "tokenizer.json", "preprocessor.json", "task.json", "metadata.json"):
            self.assertTrue(os.path.exists(os.path.join(preset, name)), name)
        restored = BertTextClassifier.from_preset(preset)
        self.assertEqual(restored.preprocessor.sequence_length, 8)
        self.assertAllClose(restored.predict(texts[:4], verbose=0), classifier.predict(texts[:4], verbose=0), atol=1e-5)

    def test_sentence_embedder_is_masked_mean(self):
        backbone = tiny_backbone()
        embedder = BertSentenceEmbedder(backbone, preprocessor=tiny_preprocessor(), normalize=True)
        x = embedder.preprocessor.pack(["the cat sat", "a dog"])
        sequence = ops.convert_to_numpy(backbone(x)["sequence_output"])
        mask = x["padding_mask"][..., None]
        expected = (sequence * mask).sum(1) / mask.sum(1)
        expected /= np.linalg.norm(expected, axis=-1, keepdims=True)
        self.assertAllClose(embedder.predict(["the cat sat", "a dog"], verbose=0), expected, atol=1e-5)

    def test_missing_and_corrupted_preset_files(self):
        preset = self.get_temp_dir()
        BertTextClassifier(tiny_backbone(), num_classes=2, preprocessor=tiny_preprocessor()).save_to_preset(preset)
        os.remove(os.path.join(preset, "assets", "tokenizer", "vocabulary.txt"))
        with pytest.raises((ValueError, FileNotFoundError), match="vocabulary.txt"):
            BertTextClassifier.from_preset(preset)
        with open(os.path.join(preset, "model.weights.h5"), "wb") as file:
            file.write(b"not hdf5")
        with pytest.raises(ValueError, match="Could not load `model.weights.h5`"):
            BertBackbone.from_preset(preset)


class BertMaskedLMTest(TestCase):
    def test_masked_lm_trains_on_raw_strings_and_round_trips(self):
        from kerasverse.nlp.models.bert import BertMaskedLM
        from kerasverse.nlp.models.bert import BertMaskedLMPreprocessor

        tokenizer = BertTokenizer(VOCABULARY, lowercase=True)
        preprocessor = BertMaskedLMPreprocessor(tokenizer, sequence_length=8, mask_selection_rate=0.3, mask_selection_length=2, seed=0)
        x, y, sample_weight = preprocessor(["the cat sat on a mat", "a dog ran"])
        self.assertEqual(x["mask_positions"].shape, (2, 2))
        special = {tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id}
        original = preprocessor.pack(["the cat sat on a mat", "a dog ran"])["token_ids"]
        for row in range(2):
            for position, label, weight in zip(x["mask_positions"][row], y[row], sample_weight[row]):
                if weight:
                    self.assertEqual(original[row, position], label)
                    self.assertNotIn(int(label), special)
        masked_lm = BertMaskedLM(tiny_backbone(), preprocessor=preprocessor)
        logits = masked_lm(x)
        self.assertEqual(tuple(logits.shape), (2, 2, len(VOCABULARY)))
        masked_lm.compile(optimizer=keras.optimizers.Adam(0.01), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        history = masked_lm.fit(["the cat sat on a mat", "a dog ran", "the dog sat"] * 4, batch_size=4, epochs=4, verbose=0)
        self.assertTrue(np.isfinite(history.history["loss"][-1]))
        preset = self.get_temp_dir()
        masked_lm.save_to_preset(preset)
        restored = BertMaskedLM.from_preset(preset)
        self.assertAllClose(restored(x), masked_lm(x), atol=1e-5)
        # The head is tied to the token embedding: no separate output kernel.
        self.assertLen(masked_lm.masked_lm_head.trainable_weights, 6)
