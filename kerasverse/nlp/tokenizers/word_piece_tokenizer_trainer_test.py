import os

import numpy as np
import pytest

from kerasverse.nlp.tokenizers.word_piece_tokenizer import WordPieceTokenizer
from kerasverse.nlp.tokenizers.word_piece_tokenizer_trainer import (
    compute_word_piece_vocabulary,
)
from kerasverse.testing import TestCase

TEXTS = ["The quick brown fox.", "the quicker brown foxes jumped", "Café au lait!"] * 5


class ComputeWordPieceVocabularyTest(TestCase):
    def test_vocabulary_tokenizes_its_corpus(self):
        vocabulary = compute_word_piece_vocabulary(TEXTS, 80, lowercase=True, strip_accents=True)
        self.assertEqual(vocabulary[:5], ["[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"])
        self.assertLessEqual(len(vocabulary), 80)
        self.assertEqual(len(set(vocabulary)), len(vocabulary))
        tokenizer = WordPieceTokenizer(vocabulary=vocabulary, lowercase=True, strip_accents=True)
        unk = tokenizer.token_to_id("[UNK]")
        for text in TEXTS:
            self.assertNotIn(unk, tokenizer(text).tolist())
        self.assertEqual(tokenizer.detokenize(tokenizer("The quick brown fox.")), "the quick brown fox .")
        # Pre-tokenization follows the tokenizer's: punctuation is its own word.
        self.assertIn(".", vocabulary)
        self.assertNotIn("fox.", vocabulary)

    def test_file_output_and_errors(self):
        path = os.path.join(self.get_temp_dir(), "vocab.txt")
        self.assertIsNone(compute_word_piece_vocabulary(TEXTS, 60, vocabulary_output_file=path, reserved_tokens=["[UNK]"]))
        tokenizer = WordPieceTokenizer(vocabulary=path)
        self.assertEqual(tokenizer.id_to_token(0), "[UNK]")
        with pytest.raises(ValueError, match="must be at least the number of reserved tokens"):
            compute_word_piece_vocabulary(TEXTS, 2)
        with pytest.raises(TypeError, match="Element 1 is 3 \\(of type int\\)"):
            compute_word_piece_vocabulary(["a", 3], 10)
        with pytest.raises(TypeError, match="ds.map\\(lambda text, label: text\\)"):
            compute_word_piece_vocabulary([(np.array([b"a b"]), np.array([1]))], 10)
        with pytest.raises(TypeError, match="Received: data=3"):
            compute_word_piece_vocabulary(3, 10)

    def test_iterables_of_string_batches(self):
        # keras_hub takes a batched `tf.data.Dataset` (the keras.io GPT example); we take
        # any iterable of string batches: batches of bytes as TF yields them, a torch
        # DataLoader's lists, numpy arrays, a generator. The vocabulary is the same.
        import torch.utils.data

        # (Hugging Face's trainer orders tokens of equal rank by hash: compare as sets.)
        expected = set(compute_word_piece_vocabulary(TEXTS, 60, lowercase=True))
        encoded = np.array([t.encode("utf-8") for t in TEXTS], dtype=object)
        sources = {
            "numpy": np.array(TEXTS),
            "numpy bytes batches": (encoded[i : i + 4] for i in range(0, len(TEXTS), 4)),
            "2D numpy batches with an empty one": iter([np.array(TEXTS).reshape(3, 5), np.array([], dtype=str)]),
            "torch DataLoader": torch.utils.data.DataLoader(TEXTS, batch_size=4),
            "generator of strings": (t for t in TEXTS),
        }
        for name, data in sources.items():
            self.assertEqual(set(compute_word_piece_vocabulary(data, 60, lowercase=True)), expected, msg=name)
