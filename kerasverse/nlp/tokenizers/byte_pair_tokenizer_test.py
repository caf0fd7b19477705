import functools
import json
import os
import random
import tempfile

import keras
import numpy as np
import pytest

from kerasverse.nlp.tokenizers.byte_pair_tokenizer import BytePairTokenizer
from kerasverse.testing import TestCase

MERGES = ["b u", "t t", "e r", "bu tt", "butt er", "f l", "fl y"]
VOCAB = {t: i for i, t in enumerate(sorted({t for m in MERGES for t in (*m.split(), m.replace(" ", ""))}))}


def assert_equal(actual, expected):
    np.testing.assert_array_equal(np.asarray(actual), np.asarray(expected))


def random_texts(count, seed):
    rng = random.Random(seed)
    words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "Keras", "tokenizer", "isn't",
             "we'll", "café", "naïve", "日本語", "emoji 🙂", "1234", "3.14", "$5", "...", "—", "  ", "\n", "\t"]
    return [
        "".join(rng.choice(words) + rng.choice([" ", " ", "", ", ", ".\n", "  "]) for _ in range(rng.randint(1, 20)))
        for _ in range(count)
    ]


@functools.lru_cache(maxsize=1)
def trained_gpt2_files():
    """A GPT-2 style byte-level BPE (vocab.json, merges.txt) trained here."""
    from tokenizers import ByteLevelBPETokenizer

    trainer = ByteLevelBPETokenizer()
    trainer.train_from_iterator(random_texts(2000, seed=7) * 3, vocab_size=600, min_frequency=2,
                                special_tokens=["<|endoftext|>"], show_progress=False)
    directory = tempfile.mkdtemp()
    trainer.save_model(directory)
    return os.path.join(directory, "vocab.json"), os.path.join(directory, "merges.txt")


class BytePairTokenizerTest(TestCase):
    def test_keras_hub_examples(self):
        tokenizer = BytePairTokenizer(VOCAB, MERGES)
        assert_equal(tokenizer("butterfly"), [3, 8])
        self.assertEqual(tokenizer(["butterfly", "butter"]), [[3, 8], [3]])
        dense = BytePairTokenizer(VOCAB, MERGES, sequence_length=2)(["butterfly", "butter"])
        assert_equal(dense, [[3, 8], [3, 0]])
        self.assertEqual(dense.dtype, np.int32)
        self.assertEqual(tokenizer.detokenize([[3, 8]]), ["butterfly"])
        self.assertEqual(BytePairTokenizer(VOCAB, MERGES, dtype="string")("butterfly"), ["butter", "fly"])

    def test_matches_openai_gpt2_algorithm(self):
        from transformers import GPT2Tokenizer

        vocab_path, merges_path = trained_gpt2_files()
        # The slow transformers tokenizer is a pure Python port of OpenAI's
        # encoder.py: an implementation independent of the Rust one we use.
        reference = GPT2Tokenizer(vocab_path, merges_path)
        tokenizer = BytePairTokenizer(vocab_path, merges_path, unsplittable_tokens=["<|endoftext|>"])
        texts = random_texts(300, seed=1) + ["Hello<|endoftext|>world", " leading space", "trailing  "]
        expected = [reference.encode(text) for text in texts]
        self.assertEqual(tokenizer(texts), expected)
        self.assertEqual(tokenizer.detokenize(expected), texts)
        self.assertEqual(tokenizer.token_to_id("<|endoftext|>"), reference.convert_tokens_to_ids("<|endoftext|>"))
        prefixed = BytePairTokenizer(vocab_path, merges_path, add_prefix_space=True)
        self.assertEqual(prefixed(["fox jumps"])[0], reference.encode(" fox jumps"))

    def test_offsets(self):
        vocab_path, merges_path = trained_gpt2_files()
        tokenizer = BytePairTokenizer(vocab_path, merges_path)
        texts = [t for t in random_texts(50, seed=2) if t.isascii()]
        ids, starts, ends = tokenizer.tokenize_with_offsets(texts)
        self.assertEqual(ids, tokenizer(texts))
        for text, row, row_starts, row_ends in zip(texts, ids, starts, ends):
            pieces = [text[s:e] for s, e in zip(row_starts, row_ends)]
            self.assertEqual("".join(pieces), text)
            self.assertEqual([tokenizer.detokenize([i]) for i in row], pieces)

    def test_vocabulary_api_and_errors(self):
        tokenizer = BytePairTokenizer(VOCAB, MERGES)
        self.assertEqual(tokenizer.vocabulary_size(), len(VOCAB))
        self.assertEqual(tokenizer.get_vocabulary(), sorted(VOCAB, key=VOCAB.get))
        self.assertEqual(tokenizer.id_to_token(3), "butter")
        self.assertEqual(tokenizer.token_to_id("fly"), 8)
        with pytest.raises(ValueError, match="`id` is not in the vocabulary. Received: id=99"):
            tokenizer.id_to_token(99)
        with pytest.raises(ValueError, match="'zzz' is not in the vocabulary"):
            tokenizer.token_to_id("zzz")
        with pytest.raises(ValueError, match="Merge rule 'q r' contains token 'q' or 'r'"):
            BytePairTokenizer(VOCAB, ["q r"])
        with pytest.raises(ValueError, match="Unsplittable token '<eos>' is not in the vocabulary"):
            BytePairTokenizer(VOCAB, MERGES, unsplittable_tokens=["<eos>"])
        with pytest.raises(ValueError, match="must be a dict mapping token strings"):
            BytePairTokenizer(["a"], MERGES)
        with pytest.raises(TypeError, match="Received a non-string element at position 0: None"):
            tokenizer([None])
        with pytest.raises(ValueError, match="must be valid UTF-8"):
            tokenizer([b"\xc3\x28"])
        with pytest.raises(ValueError, match="must not be an empty batch"):
            tokenizer(np.array([], dtype=str))
        with pytest.raises(ValueError, match="Cannot detokenize id 999"):
            tokenizer.detokenize([999])
        with pytest.raises(ValueError, match="No vocabulary has been set"):
            BytePairTokenizer()("a")

    def test_config_and_assets(self):
        vocab_path, merges_path = trained_gpt2_files()
        tokenizer = BytePairTokenizer(vocab_path, merges_path, sequence_length=8, unsplittable_tokens=["<|endoftext|>"])
        config = tokenizer.get_config()
        revived = BytePairTokenizer.from_config(config)
        texts = ["the quick<|endoftext|>", "brown fox"]
        assert_equal(revived(texts), tokenizer(texts))
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(tokenizer))
        assert_equal(restored(texts), tokenizer(texts))
        directory = self.get_temp_dir()
        tokenizer.save_assets(directory)
        self.assertEqual(sorted(os.listdir(directory)), ["merges.txt", "vocabulary.json"])
        empty = BytePairTokenizer.from_config({**config, "vocabulary": None, "merges": None})
        empty.load_assets(directory)
        assert_equal(empty(texts), tokenizer(texts))
        with open(os.path.join(directory, "vocabulary.json"), encoding="utf-8") as file:
            self.assertEqual(json.load(file), tokenizer.vocabulary)
