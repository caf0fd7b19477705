"""`WordPieceTokenizer`: BERT's WordPiece, host-side, with keras_hub semantics."""

import functools
import operator
import os
import re
import threading
import unicodedata
from collections.abc import Iterable

import keras
import numpy as np

from kerasverse.nlp.tokenizers import _chunk_table
from kerasverse.nlp.tokenizers import text_inputs
from kerasverse.nlp.tokenizers.tokenizer import Tokenizer

VOCAB_FILENAME = "vocabulary.txt"

# Words longer than this many UTF-8 bytes become the OOV token (as tf-text's
# FastWordpieceTokenizer, which keras_hub uses, does).
MAX_BYTES_PER_WORD = 100

# Cache entries kept before the word cache is cleared (bounds memory).
_MAX_CACHE_SIZE = 1 << 20

# The same splitting rules as keras_hub (after BERT): ASCII whitespace and
# invisible control/format characters are dropped; ASCII non-alphanumerics,
# Unicode punctuation and CJK ideographs become one-character words.
_WHITESPACE = r"[ \t\n\r\f]|\p{Cc}|\p{Cf}"
_PUNCTUATION = r"[!-/]|[:-@]|[\[-`]|[{-~]|\p{P}"
_CJK = (
    r"[\u4E00-\u9FFF]|[\u3400-\u4DBF]|[\U00020000-\U0002A6DF]"
    r"|[\U0002A700-\U0002B73F]|[\U0002B740-\U0002B81F]|[\U0002B820-\U0002CEAF]"
    r"|[\uF900-\uFAFF]|[\U0002F800-\U0002FA1F]"
)
# For ASCII text the rules reduce to this (every ASCII character that is
# neither alphanumeric nor punctuation is whitespace or a control character).
_ASCII_WORD = r"[A-Za-z0-9]+|[!-/:-@\[-`{-~]"
# Joins the strings of a batch on the fast path; a control character, so a
# delimiter that can never be part of a word.
_ROW_SEPARATOR = "\x00"
# Byte maps of the fast path: ASCII controls and space (the delimiters among
# ASCII bytes; non-ASCII characters are all bytes >= 0x80 in UTF-8) become
# spaces, the row separator stays; `_LOWER_TABLE` also lower-cases A-Z.
_DELIMITER_TABLE = bytes([0 if b == 0 else 0x20 if b < 0x20 or b == 0x7F else b for b in range(256)])
_LOWER_TABLE = bytes(b + 32 if 0x41 <= b <= 0x5A else b for b in _DELIMITER_TABLE)


def _regex_module():
    try:
        import regex
    except ImportError as error:  # pragma: no cover - regex ships with the nlp extra
        raise ImportError(
            "Tokenizing non-ASCII text with `WordPieceTokenizer` needs the "
            "`regex` package. Install it with `pip install regex` (or "
            "`pip install kerasverse[nlp]`)."
        ) from error
    return regex


@functools.lru_cache(maxsize=32)
def _general_patterns(split_on_cjk, special_tokens):
    regex = _regex_module()
    delimiters = [_WHITESPACE, _PUNCTUATION]
    keep = [_PUNCTUATION]
    if split_on_cjk:
        delimiters.append(_CJK)
        keep.append(_CJK)
    if special_tokens:
        specials = _special_pattern(special_tokens)
        delimiters.insert(0, specials)
        keep.insert(0, specials)
    return regex.compile("|".join(delimiters)), regex.compile("|".join(keep))


@functools.lru_cache(maxsize=32)
def _ascii_pattern(special_tokens):
    parts = [_ASCII_WORD]
    if special_tokens:
        parts.insert(0, _special_pattern(special_tokens))
    return re.compile("|".join(parts))


def _special_pattern(special_tokens):
    ordered = sorted(special_tokens, key=len, reverse=True)
    return "|".join(re.escape(token) for token in ordered)


def _strip_accents(text):
    text = unicodedata.normalize("NFD", text)
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def casefold(text):
    """Unicode case folding with NFKC normalization (ICU's NFKC_Casefold)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKD", text).casefold())


def _split_with_spans(text, delimiters, keep):
    """keras_hub's `regex_split`: words between delimiters, kept delimiters."""
    words = []
    position = 0
    for match in delimiters.finditer(text):
        start, end = match.span()
        if start > position:
            words.append((text[position:start], position, start))
        if start < end and keep.fullmatch(match.group()):
            words.append((match.group(), start, end))
        position = max(end, position)
    if position < len(text):
        words.append((text[position:], position, len(text)))
    return words


class _WordCache:
    """Maps a whitespace-free chunk of text to a code: its id when it is one
    piece, or `-(k + 1)` where `k` indexes `pieces` when it is zero or several
    pieces. A plain dict (lookups of a dict subclass are twice as slow)."""

    def __init__(self, engine):
        self.engine = engine
        self.codes = {}
        self.pieces = []
        self._arrays = None
        # The same codes for chunks of at most 16 UTF-8 bytes, in numpy.
        self.table = _chunk_table.ChunkTable()

    def __len__(self):
        return len(self.codes)

    def add(self, chunk):
        ids = self.engine.chunk_to_ids(chunk)
        if len(ids) == 1:
            code = ids[0]
        else:
            self.pieces.append(ids)
            self._arrays = None
            code = -len(self.pieces)
        self.codes[chunk] = code
        return code

    def code(self, chunk):
        """The code of one chunk (computed and kept when unseen)."""
        code = self.codes.get(chunk)
        return self.add(chunk) if code is None else code

    def lookup(self, chunks):
        """Codes of many chunks as an int64 array (unseen chunks are added)."""
        if len(chunks) == 0:
            return np.zeros(0, np.int64)
        if len(chunks) == 1:
            return np.array([self.code(chunks[0])], np.int64)
        getter = operator.itemgetter(*chunks)
        try:
            values = getter(self.codes)
        except KeyError:
            for chunk in set(chunks).difference(self.codes):
                self.add(chunk)
            values = getter(self.codes)
        return np.array(values, np.int64)

    def clear(self):
        self.codes = {}
        self.pieces = []
        self._arrays = None
        self.table.clear()

    def piece_arrays(self):
        if self._arrays is None:
            lengths = np.fromiter(map(len, self.pieces), np.int64, len(self.pieces))
            starts = np.cumsum(lengths) - lengths
            flat = np.fromiter(
                (i for ids in self.pieces for i in ids), np.int64, int(lengths.sum())
            )
            self._arrays = (lengths, starts, flat)
        return self._arrays


class _WordPieceEngine:
    """The tokenization work, kept out of the Keras layer (whose attribute
    tracking would wrap the large vocabulary containers)."""

    def __init__(self, vocabulary, suffix_indicator, oov_token, lowercase,
                 strip_accents, split, split_on_cjk, special_tokens):
        self.vocabulary = vocabulary
        self.token_to_id = {token: i for i, token in enumerate(vocabulary)}
        # Python ints of every id, shared by the ragged outputs.
        self.id_objects = np.array(range(len(vocabulary)), dtype=object)
        self.suffix_indicator = suffix_indicator
        self.oov_id = self.token_to_id[oov_token]
        self.lowercase = lowercase
        self.strip_accents = strip_accents
        self.split = split
        self.split_on_cjk = split_on_cjk
        self.special_tokens = tuple(special_tokens or ())
        self.special_set = frozenset(self.special_tokens)
        self.special_bytes = tuple(token.encode("utf-8", "surrogatepass") for token in self.special_tokens)
        # Splitting on delimiters first is exact unless a special token
        # itself holds one (a space or an ASCII control character).
        self.chunks_are_safe = not any(
            any(c.isspace() or c < " " or c == "\x7f" for c in token) for token in self.special_tokens
        )
        self.cache = _WordCache(self)
        # The cache (and its numpy table) changes during a batch: one batch
        # at a time (e.g. the threads of a `PyDataset`).
        self._lock = threading.Lock()

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # -------------------------------------------------------------- words
    def word_to_ids(self, word):
        """WordPiece of one pre-tokenized word: greedy longest match first."""
        if word in self.special_set:
            return (self.token_to_id[word],)
        if self.lowercase:
            word = casefold(word)
        if not word:
            return ()
        if len(word.encode("utf-8")) > MAX_BYTES_PER_WORD:
            return (self.oov_id,)
        ids = []
        start, length = 0, len(word)
        lookup = self.token_to_id
        while start < length:
            end = length
            found = None
            while end > start:
                piece = word[start:end]
                if start > 0:
                    piece = self.suffix_indicator + piece
                found = lookup.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return (self.oov_id,)
            ids.append(found)
            start = end
        return tuple(ids)

    def pretokenize(self, text):
        """Words of one string as `(word, start, end)` in normalized text."""
        if self.strip_accents and not text.isascii():
            text = _strip_accents(text)
        if not self.split:
            return [(text, 0, len(text))]
        delimiters, keep = _general_patterns(self.split_on_cjk, self.special_tokens)
        return _split_with_spans(text, delimiters, keep)

    # ------------------------------------------------------------- batches
    def chunk_to_ids(self, chunk):
        """Ids of a whitespace-free chunk of text (one or more words).

        Whitespace only ever separates words, so the tokenization of a text
        is the concatenation of its chunks': the word cache holds chunks.
        """
        if self.split and chunk.isascii():
            words = _ascii_pattern(self.special_tokens).findall(chunk)
        else:
            words = [w for w, _, _ in self.pretokenize(chunk)]
        if len(words) == 1:
            return self.word_to_ids(words[0])
        return tuple(i for word in words for i in self.word_to_ids(word))

    def encode(self, texts):
        """Token ids of many strings: `(flat_ids, row_lengths)` numpy arrays.

        Whitespace only ever separates words, so a string's ids are the
        concatenation of its whitespace-free chunks' ids. The fast path
        splits the whole batch into chunks with numpy (on its UTF-8 bytes)
        and looks their codes up in a numpy hash table; only unseen chunks
        reach Python (and the WordPiece algorithm).
        """
        with self._lock:
            return self._encode(texts)

    def _encode(self, texts):
        num_rows = len(texts)
        if len(self.cache) >= _MAX_CACHE_SIZE:
            # Only between batches: codes of this batch index `pieces`.
            self.cache.clear()
        if not self.split:
            return self._expand(self._codes(texts), np.ones(num_rows, np.int64))
        if self.chunks_are_safe:
            return self._encode_bytes(texts)
        chunks, counts = [], []
        for text in texts:
            row = [w for w, _, _ in self.pretokenize(text)]
            chunks.extend(row)
            counts.append(len(row))
        return self._expand(self._codes(chunks), np.array(counts, np.int64))

    def _codes(self, chunks):
        return self.cache.lookup(chunks)

    def _encode_bytes(self, texts):
        """The fast path: the batch as one byte string, split by numpy.

        Every ASCII control character and space is a dropped delimiter and
        no other character holds such a byte in UTF-8, so splitting the
        bytes on them is exact. Rows are joined with a zero byte.
        """
        joined = _ROW_SEPARATOR.join(texts)
        if _ROW_SEPARATOR in joined and joined.count(_ROW_SEPARATOR) != len(texts) - 1:
            # A zero byte inside a string: it is a delimiter like a space.
            joined = _ROW_SEPARATOR.join(t.replace(_ROW_SEPARATOR, " ") for t in texts)
        data = (_ROW_SEPARATOR + joined + _ROW_SEPARATOR).encode("utf-8", "surrogatepass")
        size = len(data)
        data = self._normalize_bytes(data) + _chunk_table.PADDING
        array = np.frombuffer(data, np.uint8)
        starts, ends = _chunk_table.chunk_bounds(array, size)
        separators = np.flatnonzero(array[:size] == 0)
        counts = np.diff(np.searchsorted(starts, separators))
        lengths = ends - starts
        low, high = _chunk_table.chunk_keys(data, starts, lengths)
        codes, found = self.cache.table.lookup(low, high)
        short = lengths <= _chunk_table.MAX_KEY_BYTES
        missing = np.flatnonzero(~found & short)
        if len(missing):
            first, inverse = _chunk_table.unique_pairs(low[missing], high[missing])
            new = missing[first]
            new_codes = np.fromiter(
                (self.cache.code(data[a:b].decode("utf-8", "surrogatepass")) for a, b in zip(starts[new].tolist(), ends[new].tolist())),
                np.int64,
                len(new),
            )
            self.cache.table.insert(low[new], high[new], new_codes)
            codes[missing] = new_codes[inverse]
        for i in np.flatnonzero(~short).tolist():
            codes[i] = self.cache.code(data[starts[i] : ends[i]].decode("utf-8", "surrogatepass"))
        return self._expand(codes, counts)

    def _normalize_bytes(self, data):
        """Maps delimiters but the zero byte to spaces; lower-cases ASCII
        first when that cannot create or break a special token (case
        folding lower-cases them anyway, so it makes fewer cache keys)."""
        if self.lowercase:
            lowered = data.translate(_LOWER_TABLE)
            if not any(token in data or token in lowered for token in self.special_bytes):
                return lowered
        return data.translate(_DELIMITER_TABLE)

    def _expand(self, codes, counts):
        """Replaces multi-piece word codes by their pieces.

        Args:
            codes: int64 array, one code per word (see `_WordCache`).
            counts: int64 array, the number of words of each row.

        Returns:
            `(flat_ids, row_lengths)`: int32 ids and int64 tokens per row.
        """
        word_bounds = np.zeros(len(counts) + 1, np.int64)
        np.cumsum(counts, out=word_bounds[1:])
        multi = codes < 0
        if not multi.any():
            return codes.astype(np.int32), np.diff(word_bounds)
        lengths, starts, pieces = self.cache.piece_arrays()
        index = -codes[multi] - 1
        multi_lengths = lengths[index]
        word_lengths = np.ones(len(codes), np.int64)
        word_lengths[multi] = multi_lengths
        token_bounds = np.zeros(len(codes) + 1, np.int64)
        np.cumsum(word_lengths, out=token_bounds[1:])
        flat = np.repeat(codes.astype(np.int32), word_lengths)
        # Position of each piece of each multi-piece word, in the output and
        # in `pieces`.
        within = np.arange(int(token_bounds[-1] - len(codes) + len(index)))
        within -= np.repeat(np.cumsum(multi_lengths) - multi_lengths, multi_lengths)
        flat[np.repeat(token_bounds[:-1][multi], multi_lengths) + within] = pieces[np.repeat(starts[index], multi_lengths) + within]
        return flat, np.diff(token_bounds[word_bounds])

    def encode_with_offsets(self, text):
        """Ids and character offsets (into the original string) of one string."""
        with self._lock:
            return self._encode_with_offsets(text)

    def _encode_with_offsets(self, text):
        original = text
        if self.strip_accents and not text.isascii():
            normalized, index_map = [], []
            for i, char in enumerate(text):
                piece = _strip_accents(char)
                normalized.append(piece)
                index_map.extend([i] * len(piece))
            text = "".join(normalized)
            index_map.append(len(original))
        else:
            index_map = None
        if self.split:
            delimiters, keep = _general_patterns(self.split_on_cjk, self.special_tokens)
            words = _split_with_spans(text, delimiters, keep)
        else:
            words = [(text, 0, len(text))]
        ids, starts, ends = [], [], []
        suffix_length = len(self.suffix_indicator)
        for word, start, end in words:
            code = self.cache.code(word)
            pieces = (code,) if code >= 0 else self.cache.pieces[-code - 1]
            folded = casefold(word) if self.lowercase and word not in self.special_set else word
            exact = len(folded) == len(word) and self.oov_id not in pieces
            position = start
            for k, piece_id in enumerate(pieces):
                if exact:
                    size = len(self.vocabulary[piece_id]) - (suffix_length if k else 0)
                    piece_start, piece_end = position, position + size
                    position = piece_end
                else:
                    piece_start, piece_end = start, end
                if index_map is not None:
                    piece_start = index_map[piece_start]
                    piece_end = index_map[piece_end - 1] + 1 if piece_end > 0 else 0
                ids.append(piece_id)
                starts.append(piece_start)
                ends.append(piece_end)
        return ids, starts, ends


@keras.saving.register_keras_serializable(package="kerasverse")
class WordPieceTokenizer(Tokenizer):
    """A WordPiece tokenizer (BERT's), host-side, without TensorFlow.

    Same arguments and outputs as `keras_hub.tokenizers.WordPieceTokenizer`:
    the text is optionally stripped of accents (NFD, then combining marks
    removed), split on whitespace, punctuation and CJK ideographs (all
    punctuation is kept as tokens), lower-cased with Unicode case folding,
    and each word is split greedily into the longest vocabulary pieces
    (continuation pieces carry `suffix_indicator`). A word with no
    tokenization, or longer than 100 UTF-8 bytes, becomes `oov_token`.

    A batch is split into whitespace-free chunks with numpy (on its UTF-8
    bytes) and each chunk's pieces come from a cache (a numpy hash table):
    the WordPiece algorithm runs once per distinct chunk, so throughput
    does not depend on Python speed per word. The ids are those of the
    per-word algorithm.

    Outputs: a single string gives a 1D numpy array; a batch gives a list of
    Python lists (ragged), or a dense `(batch, sequence_length)` numpy array
    padded with 0 when `sequence_length` is set. `dtype="string"` gives token
    strings instead of ids. `tokenize_with_offsets` also gives the character
    span of each token in the input string.

    Args:
        vocabulary: a list of token strings, or the path of a text file with
            one token per line.
        sequence_length: int. If set, outputs are padded or truncated to it.
        lowercase: bool. Case-fold the text before WordPiece. Defaults to
            `False`.
        strip_accents: bool. Remove accent marks. Defaults to `False`.
        split: bool. Split on whitespace, punctuation (and CJK). If `False`,
            each input string is one word (pass pre-split words). Defaults
            to `True`.
        split_on_cjk: bool. Make each CJK ideograph its own word (only with
            `split=True`). Defaults to `True`.
        suffix_indicator: str. The prefix of continuation pieces. Defaults to
            `"##"`.
        oov_token: str. The token of words with no tokenization; it must be
            in the vocabulary. Defaults to `"[UNK]"`.
        special_tokens: list of str. Extra special tokens (with
            `special_tokens_in_strings=True`, matched whole in the text).
        special_tokens_in_strings: bool. Find special tokens (e.g. `"[SEP]"`)
            inside input strings, never split nor lower-case them. Defaults
            to `False`.
        dtype: `"int32"` (default) or another integer dtype for ids, or
            `"string"` for token strings.

    Example:

    ```python
    vocab = ["[UNK]", "the", "qu", "##ick", "br", "##own", "fox", "."]
    tokenizer = WordPieceTokenizer(vocabulary=vocab, lowercase=True)
    tokenizer("The quick brown fox.")  # array([1, 2, 3, 4, 5, 6, 7])
    tokenizer.detokenize([1, 2, 3, 4, 5, 6, 7])  # "the quick brown fox ."
    tokenizer.tokenize_with_offsets("The quick")
    # (array([1, 2, 3]), array([0, 4, 6]), array([3, 6, 9]))
    ```
    """

    def __init__(
        self,
        vocabulary=None,
        sequence_length=None,
        lowercase=False,
        strip_accents=False,
        split=True,
        split_on_cjk=True,
        suffix_indicator="##",
        oov_token="[UNK]",
        special_tokens=None,
        special_tokens_in_strings=False,
        dtype="int32",
        **kwargs,
    ):
        super().__init__(dtype=dtype, **kwargs)
        if oov_token is None:
            raise ValueError("`oov_token` cannot be None. Received: oov_token=None")
        if sequence_length is not None and (
            isinstance(sequence_length, bool) or not isinstance(sequence_length, int) or sequence_length < 1
        ):
            raise ValueError(
                "`sequence_length` must be a positive int or None. "
                f"Received: sequence_length={sequence_length!r}"
            )
        self.sequence_length = sequence_length
        self.lowercase = lowercase
        self.strip_accents = strip_accents
        self.split = split
        self.split_on_cjk = split_on_cjk
        self.suffix_indicator = suffix_indicator
        self.oov_token = oov_token
        self._init_special_tokens = list(special_tokens) if special_tokens else None
        self.special_tokens_in_strings = special_tokens_in_strings
        self.file_assets = [VOCAB_FILENAME]
        self._engine = None
        self.set_vocabulary(vocabulary)

    # ----------------------------------------------------------- vocabulary
    def set_vocabulary(self, vocabulary):
        """Sets the vocabulary from a list of tokens or a one-token-per-line file."""
        if vocabulary is None:
            self._engine = None
            return
        if isinstance(vocabulary, (str, os.PathLike)):
            with open(vocabulary, encoding="utf-8") as file:
                vocabulary = [line.rstrip() for line in file]
        elif isinstance(vocabulary, Iterable) and not isinstance(vocabulary, (bytes, dict)):
            vocabulary = [str(token) if isinstance(token, np.str_) else token for token in vocabulary]
            bad = [t for t in vocabulary if not isinstance(t, str)]
            if bad:
                raise ValueError(
                    "`vocabulary` must hold strings only. Received an element "
                    f"{bad[0]!r} of type {type(bad[0]).__name__}."
                )
        else:
            raise ValueError(
                "`vocabulary` must be a list of strings or a file path. "
                f"Received: vocabulary of type {type(vocabulary).__name__}"
            )
        if self.oov_token not in vocabulary:
            raise ValueError(
                f"Cannot find `oov_token={self.oov_token!r}` in the vocabulary "
                f"({len(vocabulary)} tokens, starting {vocabulary[:5]}). Add "
                f"{self.oov_token!r} to the vocabulary or pass the `oov_token` "
                "the vocabulary uses."
            )
        specials = self._special_tokens_for_splitting()
        for token in specials or ():
            if token not in vocabulary:
                raise ValueError(
                    f"Cannot find special token {token!r} in the vocabulary. "
                    f"Received: special_tokens={self._init_special_tokens}"
                )
        self._engine = _WordPieceEngine(
            vocabulary,
            self.suffix_indicator,
            self.oov_token,
            self.lowercase,
            self.strip_accents,
            self.split,
            self.split_on_cjk,
            specials,
        )
        self._update_special_token_ids()

    def _special_tokens_for_splitting(self):
        if not (self.split and self.special_tokens_in_strings):
            return None
        tokens = list(self.special_tokens)
        tokens.extend(self._init_special_tokens or [])
        return list(dict.fromkeys(tokens)) or None

    def _add_special_token(self, token, name):
        super()._add_special_token(token, name)
        # The splitting rules include the special tokens: rebuild them.
        engine = getattr(self, "_engine", None)
        if engine is not None and self.special_tokens_in_strings:
            self.set_vocabulary(engine.vocabulary)

    def _check_vocabulary(self):
        if self._engine is None:
            raise ValueError(
                "No vocabulary has been set for WordPieceTokenizer. Pass "
                "`vocabulary=` when creating it (or call `load_assets`)."
            )
        return self._engine

    @property
    def vocabulary(self):
        return None if self._engine is None else self._engine.vocabulary

    def get_vocabulary(self):
        return list(self._check_vocabulary().vocabulary)

    def vocabulary_size(self):
        return len(self._check_vocabulary().vocabulary)

    def id_to_token(self, id):
        engine = self._check_vocabulary()
        return engine.vocabulary[self._check_id(id)]

    def token_to_id(self, token):
        engine = self._check_vocabulary()
        if token not in engine.token_to_id:
            raise ValueError(f"Token {token!r} is not in the vocabulary.")
        return engine.token_to_id[token]

    # ------------------------------------------------------------- tokenize
    def tokenize(self, inputs):
        """Tokenizes a string or a batch of strings.

        Args:
            inputs: a string, bytes, a list of strings or a numpy array of
                strings (with `split=False`, pre-split words).

        Returns:
            A 1D numpy array for one string; for a batch, a list of lists of
            ids, or a dense numpy array when `sequence_length` is set.
        """
        engine = self._check_vocabulary()
        texts, outer_shape = text_inputs.canonicalize_strings(inputs)
        flat, row_lengths = engine.encode(texts)
        if self.output_dtype == "string":
            vocabulary = engine.vocabulary
            rows = [[vocabulary[i] for i in row] for row in text_inputs.ragged_from_flat(flat, row_lengths)]
            return text_inputs.ragged_or_dense(rows, outer_shape, self.sequence_length, "string")
        if self.sequence_length is not None:
            dense = text_inputs.dense_from_flat(flat, row_lengths, self.sequence_length, self.output_dtype)
            return dense.reshape(*outer_shape, self.sequence_length)
        if outer_shape == ():
            return flat.astype(self.output_dtype)
        rows = text_inputs.ragged_from_flat(flat, row_lengths, engine.id_objects)
        return text_inputs.ragged_or_dense(rows, outer_shape, None, self.output_dtype)

    def tokenize_with_offsets(self, inputs):
        """Tokenizes and gives each token's character span in the input.

        Offsets index the input Python string: `text[start:end]` is the
        text the token came from (before lower-casing and accent stripping).
        When case folding changes a word's length (e.g. "ß" -> "ss") or the
        word is out of vocabulary, every piece of it spans the whole word.

        Returns:
            `(tokens, starts, ends)`, each shaped like `tokenize`'s output
            (padded with 0 when `sequence_length` is set).
        """
        engine = self._check_vocabulary()
        texts, outer_shape = text_inputs.canonicalize_strings(inputs)
        results = [engine.encode_with_offsets(text) for text in texts]
        ids = [r[0] for r in results]
        if self.output_dtype == "string":
            ids = [[engine.vocabulary[i] for i in row] for row in ids]
        shape = lambda rows, dtype: text_inputs.ragged_or_dense(  # noqa: E731
            rows, outer_shape, self.sequence_length, dtype
        )
        return (
            shape(ids, self.output_dtype),
            shape([r[1] for r in results], "int64"),
            shape([r[2] for r in results], "int64"),
        )

    def detokenize(self, inputs):
        """Joins tokens with spaces, gluing `suffix_indicator` pieces to the word before.

        Like keras_hub, this does not invert `tokenize` exactly (case, accents
        and spacing around punctuation are lost).
        """
        engine = self._check_vocabulary()
        rows, outer_shape = text_inputs.canonicalize_ids(inputs)
        suffix = self.suffix_indicator
        size = len(suffix)
        outputs = []
        for row in rows:
            words = []
            for k, token_id in enumerate(row):
                token = engine.vocabulary[self._check_id(token_id)]
                if k > 0 and len(token) > size and token.startswith(suffix):
                    words[-1] += token[size:]
                else:
                    words.append(token)
            outputs.append(" ".join(words))
        return text_inputs.restore_strings(outputs, outer_shape)

    # --------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary": self.get_vocabulary() if self._engine is not None else None,
                "sequence_length": self.sequence_length,
                "lowercase": self.lowercase,
                "strip_accents": self.strip_accents,
                "split": self.split,
                "split_on_cjk": self.split_on_cjk,
                "suffix_indicator": self.suffix_indicator,
                "oov_token": self.oov_token,
                "special_tokens": self._init_special_tokens,
                "special_tokens_in_strings": self.special_tokens_in_strings,
            }
        )
        return config

    def save_assets(self, dir_path):
        path = os.path.join(dir_path, VOCAB_FILENAME)
        with open(path, "w", encoding="utf-8") as file:
            for token in self.get_vocabulary():
                file.write(f"{token}\n")

    def load_assets(self, dir_path):
        self.set_vocabulary(os.path.join(dir_path, VOCAB_FILENAME))
