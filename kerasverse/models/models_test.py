"""Tests of the Backbone / Task / Preprocessor bases with a tiny model family."""

import json
import os

import keras
import numpy as np
import pytest

from kerasverse.models import Backbone
from kerasverse.models import HuggingFaceConverter
from kerasverse.models import Preprocessor
from kerasverse.models import Task
from kerasverse.models import preset_io
from kerasverse.models import register_converter
from kerasverse.testing import TestCase


@keras.saving.register_keras_serializable(package="kerasverse_models_test")
class WordTokenizer:
    """A whitespace tokenizer with a vocabulary asset, enough to test presets."""

    def __init__(self, vocabulary=None, sequence_length=4):
        self.vocabulary = vocabulary
        self.sequence_length = sequence_length

    def get_config(self):
        return {"sequence_length": self.sequence_length}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def save_assets(self, dir_path):
        with open(os.path.join(dir_path, "vocabulary.txt"), "w") as file:
            file.write("\n".join(self.vocabulary))

    def load_assets(self, dir_path):
        with open(os.path.join(dir_path, "vocabulary.txt")) as file:
            self.vocabulary = file.read().split("\n")

    def __call__(self, texts):
        ids = np.zeros((len(texts), self.sequence_length), "int32")
        for row, text in enumerate(texts):
            for col, word in enumerate(text.split()[: self.sequence_length]):
                ids[row, col] = self.vocabulary.index(word) if word in self.vocabulary else 1
        return ids


@keras.saving.register_keras_serializable(package="kerasverse_models_test")
class TinyBackbone(Backbone):
    config_arguments = ("vocabulary_size", "hidden_dim")

    def __init__(self, vocabulary_size=10, hidden_dim=4, **kwargs):
        token_ids = keras.Input((None,), dtype="int32", name="token_ids")
        x = keras.layers.Embedding(vocabulary_size, hidden_dim)(token_ids)
        outputs = keras.layers.GlobalAveragePooling1D()(x)
        super().__init__(inputs=token_ids, outputs=outputs, **kwargs)
        self.vocabulary_size = vocabulary_size
        self.hidden_dim = hidden_dim


@keras.saving.register_keras_serializable(package="kerasverse_models_test")
class TinyPreprocessor(Preprocessor):
    tokenizer_cls = WordTokenizer

    def call(self, x, y=None, sample_weight=None):
        return keras.utils.pack_x_y_sample_weight(self.tokenizer(x), y, sample_weight)


@keras.saving.register_keras_serializable(package="kerasverse_models_test")
class TinyClassifier(Task):
    backbone_cls = TinyBackbone
    preprocessor_cls = TinyPreprocessor

    def __init__(self, backbone, num_classes=2, preprocessor=None, **kwargs):
        self.backbone = backbone
        self.preprocessor = preprocessor
        self.head = keras.layers.Dense(num_classes)
        outputs = self.head(backbone.output)
        super().__init__(inputs=backbone.input, outputs=outputs, **kwargs)
        self.num_classes = num_classes

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


VOCABULARY = ["[PAD]", "[UNK]", "the", "cat", "dog", "sat", "ran", "a", "mat", "park"]


def _classifier():
    tokenizer = WordTokenizer(VOCABULARY, sequence_length=4)
    return TinyClassifier(TinyBackbone(), num_classes=3, preprocessor=TinyPreprocessor(tokenizer))


class PresetTest(TestCase):
    def test_backbone_preset_round_trip(self):
        backbone = TinyBackbone(hidden_dim=6)
        preset = self.get_temp_dir()
        backbone.save_to_preset(preset)
        self.assertTrue(os.path.exists(os.path.join(preset, "metadata.json")))
        restored = TinyBackbone.from_preset(preset)
        self.assertEqual(restored.hidden_dim, 6)
        ids = np.array([[2, 3, 5, 0]], "int32")
        self.assertAllClose(restored(ids), backbone(ids))
        random_init = TinyBackbone.from_preset(preset, load_weights=False)
        self.assertNotAllClose(random_init(ids), backbone(ids))

    def test_task_preset_round_trip_keeps_head_and_tokenizer(self):
        task = _classifier()
        preset = self.get_temp_dir()
        task.save_to_preset(preset)
        for name in ("config.json", "model.weights.h5", "tokenizer.json", "preprocessor.json", "task.json", "task.weights.h5"):
            self.assertTrue(os.path.exists(os.path.join(preset, name)), name)
        restored = TinyClassifier.from_preset(preset)
        self.assertEqual(restored.num_classes, 3)
        self.assertEqual(restored.preprocessor.tokenizer.vocabulary, VOCABULARY)
        texts = ["the cat sat", "a dog ran"]
        self.assertAllClose(restored.predict(texts, verbose=0), task.predict(texts, verbose=0))

    def test_task_preset_with_new_num_classes_keeps_backbone_weights(self):
        task = _classifier()
        preset = self.get_temp_dir()
        task.save_to_preset(preset)
        restored = TinyClassifier.from_preset(preset, num_classes=5)
        self.assertEqual(restored.output.shape[-1], 5)
        ids = np.array([[2, 3, 5, 0]], "int32")
        self.assertAllClose(restored.backbone(ids), task.backbone(ids))

    def test_task_from_backbone_only_preset_builds_new_head(self):
        preset = self.get_temp_dir()
        task = _classifier()
        task.backbone.save_to_preset(preset)
        task.preprocessor.save_to_preset(preset)
        restored = TinyClassifier.from_preset(preset, num_classes=5)
        self.assertEqual(restored.output.shape[-1], 5)

    def test_fit_on_raw_strings(self):
        task = _classifier()
        task.compile(optimizer=keras.optimizers.Adam(0.05), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        texts = ["the cat sat", "the dog ran", "a cat sat", "a dog ran"] * 8
        labels = np.array([0, 1, 0, 1] * 8)
        history = task.fit(texts, labels, batch_size=8, epochs=15, verbose=0)
        self.assertLess(history.history["loss"][-1], history.history["loss"][0])
        _, accuracy = task.evaluate(texts, labels, batch_size=8, verbose=0)
        self.assertEqual(accuracy, 1.0)

    def test_get_config_round_trip(self):
        task = _classifier()
        clone = TinyClassifier.from_config(task.get_config())
        self.assertEqual(clone.num_classes, 3)
        self.assertEqual(clone.backbone.hidden_dim, 4)


class PresetErrorsTest(TestCase):
    def test_missing_directory(self):
        with pytest.raises(ValueError, match="Preset directory not found"):
            TinyBackbone.from_preset("/nonexistent/preset")

    def test_not_a_path(self):
        with pytest.raises(TypeError, match="Received: preset=3"):
            TinyBackbone.from_preset(3)

    def test_missing_weights_file(self):
        preset = self.get_temp_dir()
        TinyBackbone().save_to_preset(preset)
        os.remove(os.path.join(preset, "model.weights.h5"))
        with pytest.raises(ValueError, match="has no `model.weights.h5`"):
            TinyBackbone.from_preset(preset)

    def test_corrupted_config(self):
        preset = self.get_temp_dir()
        TinyBackbone().save_to_preset(preset)
        with open(os.path.join(preset, "config.json"), "w") as file:
            file.write("{not json")
        with pytest.raises(ValueError, match="corrupted"):
            TinyBackbone.from_preset(preset)

    def test_corrupted_weights(self):
        preset = self.get_temp_dir()
        TinyBackbone().save_to_preset(preset)
        with open(os.path.join(preset, "model.weights.h5"), "wb") as file:
            file.write(b"garbage")
        with pytest.raises(ValueError, match="Could not load `model.weights.h5`"):
            TinyBackbone.from_preset(preset)

    def test_empty_raw_dataset(self):
        task = _classifier()
        task.compile(loss="mse")
        with pytest.raises(ValueError, match="empty dataset"):
            task.fit([], np.array([]), verbose=0)


@register_converter
class TinyConverter(HuggingFaceConverter):
    model_type = "tiny_test"
    backbone_cls = TinyBackbone

    def backbone_kwargs(self, hf_config):
        return {"vocabulary_size": hf_config["vocab_size"], "hidden_dim": hf_config["hidden_size"]}

    def load_backbone_weights(self, backbone, checkpoint):
        embedding = backbone.layers[1]
        checkpoint.assign(embedding.embeddings, "embeddings.weight", prefixes=("tiny.", ""))
        assert checkpoint.unused() == []


class HuggingFaceTest(TestCase):
    def _write_checkpoint(self, table):
        from safetensors.numpy import save_file

        preset = self.get_temp_dir()
        with open(os.path.join(preset, "config.json"), "w") as file:
            json.dump({"model_type": "tiny_test", "vocab_size": table.shape[0], "hidden_size": table.shape[1]}, file)
        save_file({"tiny.embeddings.weight": table}, os.path.join(preset, "model.safetensors"))
        return preset

    def test_converts_checkpoint(self):
        table = np.arange(12 * 3, dtype="float32").reshape(12, 3)
        preset = self._write_checkpoint(table)
        self.assertTrue(preset_io.is_hugging_face_checkpoint(preset))
        backbone = TinyBackbone.from_preset(preset)
        self.assertEqual(backbone.vocabulary_size, 12)
        ids = np.array([[1, 2]], "int32")
        self.assertAllClose(backbone(ids), table[[1, 2]].mean(axis=0, keepdims=True))

    def test_unknown_model_type(self):
        preset = self._write_checkpoint(np.zeros((2, 2), "float32"))
        with open(os.path.join(preset, "config.json"), "w") as file:
            json.dump({"model_type": "no_such_model"}, file)
        with pytest.raises(ValueError, match="No kerasverse converter.*no_such_model"):
            TinyBackbone.from_preset(preset)

    def test_missing_safetensors(self):
        preset = self._write_checkpoint(np.zeros((2, 2), "float32"))
        os.remove(os.path.join(preset, "model.safetensors"))
        with pytest.raises(ValueError, match="has no `model.safetensors`"):
            TinyBackbone.from_preset(preset)
