"""`BytePairTokenizer`: GPT-2's byte-level BPE, backed by Hugging Face `tokenizers`."""

import json
import os
from collections.abc import Iterable

import keras
import numpy as np

from kerasverse.nlp.tokenizers import text_inputs
from kerasverse.nlp.tokenizers.tokenizer import Tokenizer

VOCAB_FILENAME = "vocabulary.json"
MERGES_FILENAME = "merges.txt"


def _hf_tokenizers():
    try:
        import tokenizers
    except ImportError as error:  # pragma: no cover - part of the nlp extra
        raise ImportError(
            "`BytePairTokenizer` needs the `tokenizers` package. Install it with "
            "`pip install tokenizers` (or `pip install kerasverse[nlp]`)."
        ) from error
    return tokenizers


def _read_vocabulary(vocabulary):
    if isinstance(vocabulary, (str, os.PathLike)):
        with open(vocabulary, encoding="utf-8") as file:
            try:
                vocabulary = json.load(file)
            except json.JSONDecodeError as error:
                raise ValueError(
                    f"The vocabulary file {str(vocabulary)!r} is not valid JSON "
                    f"({error}). Expected a JSON object mapping tokens to ids."
                ) from None
    if not isinstance(vocabulary, dict):
        raise ValueError(
            "`vocabulary` must be a dict mapping token strings to int ids, or "
            "the path of such a JSON file. Received: vocabulary of type "
            f"{type(vocabulary).__name__}"
        )
    for token, token_id in vocabulary.items():
        if not isinstance(token, str) or isinstance(token_id, bool) or not isinstance(token_id, (int, np.integer)):
            raise ValueError(
                "`vocabulary` must map strings to ints. Received the entry "
                f"{token!r}: {token_id!r}."
            )
    return {token: int(token_id) for token, token_id in vocabulary.items()}


def _read_merges(merges, vocabulary):
    if isinstance(merges, (str, os.PathLike)):
        with open(merges, encoding="utf-8") as file:
            merges = [line.rstrip("\r\n") for line in file]
    elif isinstance(merges, Iterable) and not isinstance(merges, (bytes, dict)):
        merges = list(merges)
    else:
        raise ValueError(
            "`merges` must be a list of merge rules like 'a b' or the path of "
            f"a merges file. Received: merges of type {type(merges).__name__}"
        )
    rules, pairs = [], []
    for merge in merges:
        if isinstance(merge, (tuple, list)) and len(merge) == 2:
            merge = f"{merge[0]} {merge[1]}"
        if not isinstance(merge, str):
            raise ValueError(f"A merge rule must be a string 'a b'. Received: {merge!r}")
        if not merge or merge.lstrip().startswith("#version"):
            continue
        parts = merge.split(" ")
        if len(parts) != 2:
            raise ValueError(
                f"A merge rule must be two tokens separated by one space. Received: {merge!r}"
            )
        first, second = parts
        if first not in vocabulary or second not in vocabulary:
            raise ValueError(
                f"Merge rule {merge!r} contains token {first!r} or {second!r} "
                "that is not in the vocabulary."
            )
        rules.append(merge)
        pairs.append((first, second))
    return rules, pairs


class _BytePairEngine:
    """Holds the Rust tokenizer and the lookup tables (outside Keras tracking)."""

    def __init__(self, vocabulary, merges, add_prefix_space, unsplittable_tokens):
        tokenizers = _hf_tokenizers()
        self.vocabulary = vocabulary
        self.merges, pairs = _read_merges(merges, vocabulary)
        self.id_to_token = {token_id: token for token, token_id in vocabulary.items()}
        for token in unsplittable_tokens or ():
            if token not in vocabulary:
                raise ValueError(
                    f"Unsplittable token {token!r} is not in the vocabulary. "
                    "Add it to the vocabulary or remove it from "
                    "`unsplittable_tokens`."
                )
        model = tokenizers.models.BPE(vocab=dict(vocabulary), merges=pairs)
        tokenizer = tokenizers.Tokenizer(model)
        # GPT-2's pre-tokenization: its split regex, then bytes to unicode.
        tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(
            add_prefix_space=add_prefix_space, use_regex=True
        )
        tokenizer.decoder = tokenizers.decoders.ByteLevel()
        if unsplittable_tokens:
            tokenizer.add_special_tokens(list(unsplittable_tokens))
        self.tokenizer = tokenizer

    def encode(self, texts):
        encodings = self.tokenizer.encode_batch_fast(texts, add_special_tokens=False)
        return [encoding.ids for encoding in encodings]

    def encode_with_offsets(self, texts):
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        return [(e.ids, [s for s, _ in e.offsets], [t for _, t in e.offsets]) for e in encodings]


@keras.saving.register_keras_serializable(package="kerasverse")
class BytePairTokenizer(Tokenizer):
    """A byte-level byte-pair encoding tokenizer (GPT-2, RoBERTa, ...).

    Same arguments as `keras_hub.tokenizers.BytePairTokenizer`, and the same
    ids as OpenAI's GPT-2 encoder: text is split with GPT-2's regular
    expression, each piece's UTF-8 bytes are mapped to printable characters
    and merged with the `merges` rules in rank order. Backed by the Rust
    Hugging Face `tokenizers` library, host-side.

    Args:
        vocabulary: dict mapping token strings to int ids, or the path of a
            JSON file holding it (`vocab.json`).
        merges: list of merge rules `"a b"`, or the path of a merges file
            (one rule per line; a `#version` line is skipped).
        sequence_length: int. If set, outputs are padded with 0 or truncated
            to this length.
        add_prefix_space: bool. Add a space before the text, so the first
            word is tokenized like the others. Defaults to `False`.
        unsplittable_tokens: list of str. Tokens (e.g. `"<|endoftext|>"`)
            matched whole in the text, never split; they must be in the
            vocabulary. Defaults to the subclass's special tokens.
        dtype: `"int32"` (default) or another integer dtype, or `"string"`.

    Example:

    ```python
    merges = ["b u", "t t", "e r", "bu tt", "butt er", "f l", "fl y"]
    vocab = sorted({t for m in merges for t in (*m.split(), m.replace(" ", ""))})
    vocab = {token: i for i, token in enumerate(vocab)}
    tokenizer = BytePairTokenizer(vocab, merges)
    tokenizer("butterfly")  # array([3, 8])
    tokenizer.detokenize([3, 8])  # "butterfly"
    ```
    """

    def __init__(
        self,
        vocabulary=None,
        merges=None,
        sequence_length=None,
        add_prefix_space=False,
        unsplittable_tokens=None,
        dtype="int32",
        **kwargs,
    ):
        super().__init__(dtype=dtype, **kwargs)
        if sequence_length is not None and (
            isinstance(sequence_length, bool) or not isinstance(sequence_length, int) or sequence_length < 1
        ):
            raise ValueError(
                "`sequence_length` must be a positive int or None. "
                f"Received: sequence_length={sequence_length!r}"
            )
        self.sequence_length = sequence_length
        self.add_prefix_space = add_prefix_space
        if unsplittable_tokens is None:
            unsplittable_tokens = self.special_tokens or None
        self.unsplittable_tokens = list(unsplittable_tokens) if unsplittable_tokens else None
        self.file_assets = [VOCAB_FILENAME, MERGES_FILENAME]
        self._engine = None
        self.set_vocabulary_and_merges(vocabulary, merges)

    def set_vocabulary_and_merges(self, vocabulary, merges):
        """Sets the vocabulary and merge rules from data or files."""
        if vocabulary is None or merges is None:
            self._engine = None
            return
        vocabulary = _read_vocabulary(vocabulary)
        self._engine = _BytePairEngine(
            vocabulary, merges, self.add_prefix_space, self.unsplittable_tokens
        )
        self._update_special_token_ids()

    def _check_vocabulary(self):
        engine = getattr(self, "_engine", None)
        if engine is None:
            raise ValueError(
                "No vocabulary has been set for BytePairTokenizer. Pass "
                "`vocabulary` and `merges` when creating it (or call `load_assets`)."
            )
        return engine

    @property
    def vocabulary(self):
        return None if self._engine is None else self._engine.vocabulary

    @property
    def merges(self):
        return None if self._engine is None else self._engine.merges

    def get_vocabulary(self):
        engine = self._check_vocabulary()
        return [token for token, _ in sorted(engine.vocabulary.items(), key=lambda item: item[1])]

    def vocabulary_size(self):
        return len(self._check_vocabulary().vocabulary)

    def id_to_token(self, id):
        engine = self._check_vocabulary()
        if isinstance(id, bool) or not hasattr(id, "__index__") or int(id) not in engine.id_to_token:
            raise ValueError(f"`id` is not in the vocabulary. Received: id={id!r}")
        return engine.id_to_token[int(id)]

    def token_to_id(self, token):
        engine = self._check_vocabulary()
        if token not in engine.vocabulary:
            raise ValueError(f"Token {token!r} is not in the vocabulary.")
        return engine.vocabulary[token]

    def tokenize(self, inputs):
        """Tokenizes a string or a batch of strings.

        Returns:
            A 1D numpy array for one string; for a batch, a list of lists of
            ids, or a dense numpy array when `sequence_length` is set.
        """
        engine = self._check_vocabulary()
        texts, outer_shape = text_inputs.canonicalize_strings(inputs)
        rows = engine.encode(texts)
        if self.output_dtype == "string":
            rows = [[engine.id_to_token[i] for i in row] for row in rows]
        return text_inputs.ragged_or_dense(rows, outer_shape, self.sequence_length, self.output_dtype)

    def tokenize_with_offsets(self, inputs):
        """Tokenizes and gives each token's character span in the input.

        A token's span includes the space GPT-2 glues to the front of a word.
        A character split over several byte-level tokens gives each of them
        that character's span.

        Returns:
            `(tokens, starts, ends)`, each shaped like `tokenize`'s output.
        """
        engine = self._check_vocabulary()
        texts, outer_shape = text_inputs.canonicalize_strings(inputs)
        results = engine.encode_with_offsets(texts)
        ids = [r[0] for r in results]
        if self.output_dtype == "string":
            ids = [[engine.id_to_token[i] for i in row] for row in ids]
        shape = lambda rows, dtype: text_inputs.ragged_or_dense(  # noqa: E731
            rows, outer_shape, self.sequence_length, dtype
        )
        return (
            shape(ids, self.output_dtype),
            shape([r[1] for r in results], "int64"),
            shape([r[2] for r in results], "int64"),
        )

    def detokenize(self, inputs):
        """Turns ids back into text (exactly the input text, for GPT-2 BPE)."""
        engine = self._check_vocabulary()
        rows, outer_shape = text_inputs.canonicalize_ids(inputs)
        for row in rows:
            for token_id in row:
                if token_id not in engine.id_to_token:
                    raise ValueError(
                        f"Cannot detokenize id {token_id}: it is not in the "
                        f"vocabulary (size {len(engine.vocabulary)})."
                    )
        outputs = engine.tokenizer.decode_batch(rows, skip_special_tokens=False)
        return text_inputs.restore_strings(outputs, outer_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary": dict(self.vocabulary) if self._engine is not None else None,
                "merges": list(self.merges) if self._engine is not None else None,
                "sequence_length": self.sequence_length,
                "add_prefix_space": self.add_prefix_space,
                "unsplittable_tokens": self.unsplittable_tokens,
            }
        )
        return config

    def save_assets(self, dir_path):
        engine = self._check_vocabulary()
        with open(os.path.join(dir_path, VOCAB_FILENAME), "w", encoding="utf-8") as file:
            json.dump(engine.vocabulary, file, ensure_ascii=False)
        with open(os.path.join(dir_path, MERGES_FILENAME), "w", encoding="utf-8") as file:
            for merge in engine.merges:
                file.write(f"{merge}\n")

    def load_assets(self, dir_path):
        self.set_vocabulary_and_merges(
            os.path.join(dir_path, VOCAB_FILENAME), os.path.join(dir_path, MERGES_FILENAME)
        )
