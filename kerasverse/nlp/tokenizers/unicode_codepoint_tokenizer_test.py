import numpy as np
import pytest

from kerasverse.nlp.tokenizers.unicode_codepoint_tokenizer import (
    UnicodeCodepointTokenizer,
)
from kerasverse.testing import TestCase


class UnicodeCodepointTokenizerTest(TestCase):
    def test_tokenize_detokenize(self):
        tokenizer = UnicodeCodepointTokenizer()
        np.testing.assert_array_equal(tokenizer("Ab€"), [97, 98, 8364])
        self.assertEqual(tokenizer(["ab", "€"]), [[97, 98], [8364]])
        dense = UnicodeCodepointTokenizer(sequence_length=3, lowercase=False)(["AB", "abcd"])
        np.testing.assert_array_equal(dense, [[65, 66, 0], [97, 98, 99]])
        self.assertEqual(tokenizer.detokenize(dense), ["AB", "abc"])
        clamped = UnicodeCodepointTokenizer(vocabulary_size=256)
        self.assertEqual(clamped("a€").tolist(), [97, 255])
        self.assertEqual(tokenizer.detokenize([97, 0xD800]), "a\ufffd")
        ids, starts, ends = tokenizer.tokenize_with_offsets(["ab"])
        self.assertEqual((starts, ends), ([[0, 1]], [[1, 2]]))
        self.assertEqual(UnicodeCodepointTokenizer(dtype="string")("Ab"), ["a", "b"])

    def test_errors_and_config(self):
        with pytest.raises(ValueError, match="Only UTF-8 is supported for `input_encoding`"):
            UnicodeCodepointTokenizer(input_encoding="UTF-16")
        with pytest.raises(ValueError, match="must not be an empty batch"):
            UnicodeCodepointTokenizer()([])
        with pytest.raises(ValueError, match="not a Unicode code point"):
            UnicodeCodepointTokenizer(errors="strict").detokenize([0x110000])
        tokenizer = UnicodeCodepointTokenizer(vocabulary_size=1000, sequence_length=4)
        revived = UnicodeCodepointTokenizer.from_config(tokenizer.get_config())
        np.testing.assert_array_equal(revived(["xyz"]), tokenizer(["xyz"]))
        self.assertEqual(revived.vocabulary_size(), 1000)
