import os

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
        with pytest.raises(TypeError, match="Received a non-string element at position 1"):
            compute_word_piece_vocabulary(["a", 3], 10)
