"""GPT-2 family on a tiny random Hugging Face checkpoint made with `transformers` (test-only oracle)."""

import os

import numpy as np
import pytest
from keras import ops

from kerasverse.nlp import samplers
from kerasverse.nlp.layers.modeling.cached_multi_head_attention import stacked_cache
from kerasverse.nlp.models.gpt2 import GPT2Backbone
from kerasverse.nlp.models.gpt2 import GPT2CausalLM
from kerasverse.nlp.models.gpt2 import GPT2CausalLMPreprocessor
from kerasverse.nlp.models.gpt2 import GPT2Tokenizer
from kerasverse.testing import TestCase

CORPUS = [
    "the quick brown fox jumps over the lazy dog. " * 3,
    "hello world, this is a tiny corpus for a tiny gpt2 model.",
]


def write_hf_checkpoint(path):
    """A random 2-layer GPT-2 and a byte-level BPE tokenizer, saved the Hugging Face way."""
    tokenizers = pytest.importorskip("tokenizers")
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    bpe = tokenizers.ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS, vocab_size=300, min_frequency=1, special_tokens=["<|endoftext|>"])
    bpe.save_model(path)
    hf_tokenizer = transformers.GPT2TokenizerFast(vocab=os.path.join(path, "vocab.json"), merges=os.path.join(path, "merges.txt"))
    hf_tokenizer.save_pretrained(path)
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        vocab_size=bpe.get_vocab_size(), n_positions=24, n_embd=16, n_layer=2, n_head=2, bos_token_id=0, eos_token_id=0
    )
    model = transformers.GPT2LMHeadModel(config).eval()
    model.save_pretrained(path, safe_serialization=True)
    return model, hf_tokenizer


class GPT2HuggingFaceTest(TestCase):
    @classmethod
    def setUpClass(cls):
        import tempfile

        cls.path = tempfile.mkdtemp()
        cls.hf_model, cls.hf_tokenizer = write_hf_checkpoint(cls.path)

    def _hf_logits(self, ids):
        import torch

        with torch.no_grad():
            return self.hf_model(torch.tensor(ids)).logits.numpy()

    def test_logits_tokenizer_and_greedy_generation_match_transformers(self):
        import torch

        causal_lm = GPT2CausalLM.from_preset(self.path)
        text = "the quick brown fox, hello world"
        ids = np.array([self.hf_tokenizer(text)["input_ids"]])
        self.assertAllEqual(causal_lm.preprocessor.tokenizer(text), ids[0])
        logits = causal_lm({"token_ids": ids, "padding_mask": np.ones_like(ids)})
        self.assertAllClose(logits, self._hf_logits(ids), atol=1e-4, rtol=1e-4)
        # Greedy generation with the KV cache = transformers' greedy generation.
        prompt = np.array([[0] + self.hf_tokenizer("the quick")["input_ids"]])
        with torch.no_grad():
            expected = self.hf_model.generate(torch.tensor(prompt), max_length=14, do_sample=False, pad_token_id=0).numpy()
        length = prompt.shape[1]
        token_ids = np.zeros((1, 14), "int32")
        token_ids[0, :length] = prompt
        padding_mask = (np.arange(14) < length)[None].astype("int32")
        output = causal_lm.generate({"token_ids": token_ids, "padding_mask": padding_mask}, max_length=14, stop_token_ids=None)
        self.assertAllEqual(output["token_ids"][:, : expected.shape[1]], expected)

    def test_chunked_prefill_matches_transformers(self):
        import torch

        causal_lm = GPT2CausalLM.from_preset(self.path)
        prompt = np.array([([0] + self.hf_tokenizer("the quick brown fox, hello world the lazy dog")["input_ids"])[:9]])
        self.assertEqual(prompt.shape, (1, 9))
        # (chunk, max_length): 3 chunks of 3; then chunks at 0 and 4, the last one moved back to 6.
        for chunk_length, max_length in ((3, 14), (4, 10)):
            causal_lm.prefill_chunk_length = chunk_length
            causal_lm.generate_function = None
            with torch.no_grad():
                expected = self.hf_model.generate(
                    torch.tensor(prompt), max_length=max_length, do_sample=False, pad_token_id=0
                ).numpy()
            token_ids = np.zeros((1, max_length), "int32")
            token_ids[0, :9] = prompt
            padding_mask = (np.arange(max_length) < 9)[None].astype("int32")
            output = causal_lm.generate(
                {"token_ids": token_ids, "padding_mask": padding_mask}, max_length=max_length, stop_token_ids=None
            )
            self.assertAllEqual(output["token_ids"][:, : expected.shape[1]], expected)

    def test_generate_strings_compiles_once(self):
        causal_lm = GPT2CausalLM.from_preset(self.path)
        first = causal_lm.generate(["the quick", "hello world"], max_length=12)
        self.assertEqual(len(first), 2)
        self.assertTrue(first[0].startswith("the quick"))
        compilations = causal_lm.num_generate_compilations
        self.assertLessEqual(compilations, 1)  # 1 on JAX (one jit trace), 0 on eager PyTorch.
        second = causal_lm.generate(["the lazy", "tiny"], max_length=12)
        self.assertEqual(causal_lm.num_generate_compilations, compilations)  # No recompilation.
        self.assertTrue(second[1].startswith("tiny"))
        self.assertIsInstance(causal_lm.generate("the", max_length=8), str)

    @pytest.mark.slow  # Compiles generation once per sampler.
    def test_every_sampler_through_generate(self):
        causal_lm = GPT2CausalLM.from_preset(self.path)
        for sampler in ("top_k", samplers.TopPSampler(p=0.9, seed=1), samplers.BeamSampler(num_beams=2), "contrastive", "random"):
            causal_lm.compile(sampler=sampler)
            outputs = causal_lm.generate(["the quick", "hello"], max_length=10, stop_token_ids=None)
            self.assertTrue(outputs[0].startswith("the quick"), (sampler, outputs))
            self.assertTrue(outputs[1].startswith("hello"), (sampler, outputs))

    def test_bad_generate_input(self):
        causal_lm = GPT2CausalLM.from_preset(self.path)
        with pytest.raises(ValueError, match="max_sequence_length.*Received: max_length=25"):
            causal_lm.generate("the", max_length=25)
        with pytest.raises(ValueError, match="empty batch"):
            causal_lm.generate([], max_length=8)
        with pytest.raises(ValueError, match="sequence_length=24"):
            causal_lm({"token_ids": np.zeros((1, 30), "int32"), "padding_mask": np.ones((1, 30), "int32")})

    def test_preset_round_trip_and_training(self):
        causal_lm = GPT2CausalLM.from_preset(self.path)
        causal_lm.preprocessor.sequence_length = 16
        history = causal_lm.fit(CORPUS * 4, batch_size=4, epochs=3, verbose=0)
        self.assertLess(history.history["loss"][-1], history.history["loss"][0])
        preset = self.get_temp_dir()
        causal_lm.save_to_preset(preset)
        restored = GPT2CausalLM.from_preset(preset)
        self.assertEqual(restored.preprocessor.sequence_length, 16)
        self.assertEqual(restored.preprocessor.tokenizer.get_vocabulary(), causal_lm.preprocessor.tokenizer.get_vocabulary())
        x, _, _ = causal_lm.preprocessor(["the quick brown fox"])
        self.assertAllClose(restored(x), causal_lm(x), atol=1e-5)


    def test_keras_file_keeps_compile_state_and_sampler(self):
        import keras

        causal_lm = GPT2CausalLM.from_preset(self.path)
        causal_lm.preprocessor.sequence_length = 16
        causal_lm.compile(optimizer=keras.optimizers.Adam(1e-3), sampler=samplers.TopKSampler(k=3, seed=2))
        causal_lm.fit(CORPUS * 2, batch_size=4, epochs=1, verbose=0)
        path = os.path.join(self.get_temp_dir(), "gpt2.keras")
        causal_lm.save(path)
        restored = keras.saving.load_model(path)
        self.assertIsInstance(restored.sampler, samplers.TopKSampler)
        self.assertEqual(restored.sampler.k, 3)
        self.assertEqual(int(restored.optimizer.iterations), int(causal_lm.optimizer.iterations))
        self.assertAllClose(restored.optimizer.learning_rate, 1e-3)
        x, _, _ = causal_lm.preprocessor(["the quick brown fox"])
        self.assertAllClose(restored(x), causal_lm(x), atol=1e-5)
        restored.fit(CORPUS * 2, batch_size=4, epochs=1, verbose=0)  # Resumes training.
        self.assertEqual(int(restored.optimizer.iterations), 2 * int(causal_lm.optimizer.iterations))

class GPT2CacheTest(TestCase):
    def test_call_with_cache_matches_full_forward(self):
        backbone = GPT2Backbone(vocabulary_size=30, num_layers=2, num_heads=2, hidden_dim=8, intermediate_dim=16, max_sequence_length=10, dropout=0.0)
        causal_lm = GPT2CausalLM(backbone)
        ids = np.random.default_rng(0).integers(1, 30, size=(2, 7)).astype("int32")
        full = ops.convert_to_numpy(causal_lm({"token_ids": ids, "padding_mask": np.ones_like(ids)}))
        _, cache = causal_lm.build_cache(ids[:, :3])
        # build_cache's layout: per layer (key_cache, value_cache), (batch, heads, length, head_dim).
        self.assertLen(cache, 2)
        self.assertEqual(tuple(cache[0][0].shape), (2, 2, 3, 4))
        pad = lambda c: ops.concatenate([c, ops.zeros((2, 2, 4, 4))], axis=2)  # noqa: E731
        heads_first = tuple((pad(k), pad(v)) for k, v in cache)
        # keras_hub's layout: one (batch, num_layers, 2, length, heads, head_dim) tensor.
        stacked = ops.stack([stacked_cache(k, v) for k, v in heads_first], axis=1)
        for cache in (heads_first, stacked):
            steps = []
            for i in range(3, 7):
                logits, _, cache = causal_lm.call_with_cache(ids[:, i : i + 1], cache, i)
                steps.append(ops.convert_to_numpy(logits))
            self.assertAllClose(np.concatenate(steps, axis=1), full[:, 3:], atol=1e-5)
        self.assertEqual(tuple(cache.shape), (2, 2, 2, 7, 2, 4))  # The stacked layout comes back stacked.

    def test_preprocessor_shapes_labels(self):
        vocabulary = {"<|endoftext|>": 0, "a": 1, "b": 2, "Ġb": 3, "Ġ": 4}
        tokenizer = GPT2Tokenizer(vocabulary, ["Ġ b"])
        preprocessor = GPT2CausalLMPreprocessor(tokenizer, sequence_length=5)
        x, y, sample_weight = preprocessor(["a b"])
        self.assertAllEqual(x["token_ids"], np.array([[0, 1, 3, 0, 0]]))
        self.assertAllEqual(y, np.array([[1, 3, 0, 0, 0]]))
        self.assertAllEqual(sample_weight, np.array([[1, 1, 1, 0, 0]]))
        with pytest.raises(ValueError, match="empty batch"):
            preprocessor.generate_preprocess([])
