import numpy as np
import pytest

from kerasverse.nlp.tokenizers.byte_tokenizer import ByteTokenizer
from kerasverse.testing import TestCase


class ByteTokenizerTest(TestCase):
    def test_tokenize_detokenize(self):
        tokenizer = ByteTokenizer()
        np.testing.assert_array_equal(tokenizer("Hello"), list(b"hello"))
        self.assertEqual(tokenizer(["hé", "a"]), [list("hé".encode()), [97]])
        dense = ByteTokenizer(sequence_length=4)(["hé", "abcdef"])
        np.testing.assert_array_equal(dense, [[104, 195, 169, 0], [97, 98, 99, 100]])
        self.assertEqual(tokenizer.detokenize(dense), ["hé", "abcd"])
        self.assertEqual(ByteTokenizer(lowercase=False)("AB").tolist(), [65, 66])
        self.assertEqual(tokenizer.detokenize([104, 195]), "h\ufffd")
        self.assertEqual(ByteTokenizer(errors="ignore").detokenize([104, 195]), "h")
        self.assertEqual(ByteTokenizer(normalization_form="NFD")("é").tolist(), list("e\u0301".encode()))
        _, starts, ends = tokenizer.tokenize_with_offsets("hé")
        self.assertEqual((starts.tolist(), ends.tolist()), ([0, 1, 1], [1, 2, 2]))
        self.assertEqual(tokenizer.vocabulary_size(), 256)
        self.assertEqual(tokenizer.id_to_token(97), "a")

    def test_errors_and_config(self):
        with pytest.raises(ValueError, match="Received: errors='bad'"):
            ByteTokenizer(errors="bad")
        with pytest.raises(TypeError, match="Received a non-string element at position 0: 1.5"):
            ByteTokenizer()([1.5])
        with pytest.raises(ValueError, match=r"Byte ids must be in \[0, 255\]. Received: 300"):
            ByteTokenizer().detokenize([300])
        tokenizer = ByteTokenizer(sequence_length=3, lowercase=False)
        revived = ByteTokenizer.from_config(tokenizer.get_config())
        self.assertEqual(revived.get_config(), tokenizer.get_config())
