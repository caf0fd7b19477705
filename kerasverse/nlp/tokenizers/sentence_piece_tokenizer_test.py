import functools
import os

import keras
import numpy as np
import pytest

from kerasverse.nlp.tokenizers.sentence_piece_tokenizer import SentencePieceTokenizer
from kerasverse.nlp.tokenizers.sentence_piece_tokenizer_trainer import (
    compute_sentence_piece_proto,
)
from kerasverse.testing import TestCase

TEXTS = ["the quick brown fox jumps over the lazy dog", "a quick movement of the enemy", "café au lait"] * 10


@functools.lru_cache(maxsize=1)
def proto():
    return compute_sentence_piece_proto(TEXTS, 35)


class SentencePieceTokenizerTest(TestCase):
    def test_matches_sentencepiece(self):
        import sentencepiece

        reference = sentencepiece.SentencePieceProcessor(model_proto=proto())
        tokenizer = SentencePieceTokenizer(proto=proto())
        texts = ["the quick fox", "lazy café", "unseen words here"]
        self.assertEqual(tokenizer(texts), reference.encode(texts))
        self.assertEqual(tokenizer.detokenize(tokenizer(texts)), [reference.decode(r) for r in reference.encode(texts)])
        np.testing.assert_array_equal(tokenizer("the fox"), reference.encode("the fox"))
        bos = SentencePieceTokenizer(proto=proto(), add_bos=True, add_eos=True, sequence_length=6)
        dense = bos(["the fox"])
        self.assertEqual(dense[0, 0], reference.bos_id())
        self.assertEqual(dense.shape, (1, 6))
        self.assertEqual(tokenizer.vocabulary_size(), 35)
        piece = tokenizer.get_vocabulary()[-1]
        self.assertEqual(tokenizer.id_to_token(tokenizer.token_to_id(piece)), piece)
        self.assertEqual(SentencePieceTokenizer(proto=proto(), dtype="string")("the"), reference.encode("the", out_type=str))

    def test_offsets(self):
        tokenizer = SentencePieceTokenizer(proto=proto())
        text = "the café dog"
        ids, starts, ends = tokenizer.tokenize_with_offsets(text)
        self.assertEqual(ids.tolist(), tokenizer(text).tolist())
        pieces = [tokenizer.id_to_token(i).replace("▁", " ") for i in ids]
        spans = [text[s:e] for s, e in zip(starts, ends)]
        self.assertEqual("".join(spans), text)
        self.assertEqual("".join(pieces).strip(), text)

    def test_config_assets_and_errors(self):
        tokenizer = SentencePieceTokenizer(proto=proto(), sequence_length=5)
        revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(tokenizer))
        np.testing.assert_array_equal(revived(["the fox"]), tokenizer(["the fox"]))
        directory = self.get_temp_dir()
        tokenizer.save_assets(directory)
        empty = SentencePieceTokenizer(sequence_length=5)
        empty.load_assets(directory)
        np.testing.assert_array_equal(empty(["the fox"]), tokenizer(["the fox"]))
        path = compute_sentence_piece_proto(TEXTS, 35, proto_output_file=os.path.join(directory, "m.model"))
        np.testing.assert_array_equal(SentencePieceTokenizer(proto=path)("the"), SentencePieceTokenizer(proto=proto())("the"))
        with pytest.raises(ValueError, match="not a valid SentencePiece model"):
            SentencePieceTokenizer(proto=b"garbage")
        with pytest.raises(ValueError, match="No proto has been set"):
            SentencePieceTokenizer()("x")
        with pytest.raises(ValueError, match="must be valid UTF-8"):
            tokenizer([b"\x80"])
        with pytest.raises(ValueError, match="Cannot detokenize id 99"):
            tokenizer.detokenize([99])
        with pytest.raises(ValueError, match="Received: model_type='bad'"):
            compute_sentence_piece_proto(TEXTS, 35, model_type="bad")
