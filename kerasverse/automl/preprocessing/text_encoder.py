"""`TextEncoder`: raw strings -> padded WordPiece ids, on the host (no TensorFlow)."""

import numpy as np

from kerasverse.nlp.tokenizers import WordPieceTokenizer
from kerasverse.nlp.tokenizers import compute_word_piece_vocabulary

RESERVED_TOKENS = ["[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"]


def as_strings(x, name="x"):
    """A list of Python strings from a list, a 1-D array or an (n, 1) array."""
    if hasattr(x, "iloc"):  # pandas Series/DataFrame
        x = x.to_numpy()
    array = np.asarray(x, dtype=object)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(
            "Text input must be a list or 1-D array of strings (one document per row). "
            f"Received: {name} with shape {array.shape}."
        )
    bad = [i for i, v in enumerate(array) if not isinstance(v, (str, bytes))]
    if bad:
        raise ValueError(
            f"Text input must hold strings. Received: {name}[{bad[0]}]={array[bad[0]]!r} "
            f"of type {type(array[bad[0]]).__name__}."
        )
    return [v.decode("utf-8") if isinstance(v, bytes) else v for v in array]


class TextEncoder:
    """Learns a WordPiece vocabulary on the training texts only, and turns
    texts into `(batch, sequence_length)` int32 ids (0 = padding). The
    sequence length covers 95% of the training texts (at most
    `max_sequence_length`). Its state (vocabulary and length) is saved with
    the model, so the exported model takes raw strings.

    Args:
        max_tokens: The largest vocabulary (AutoKeras' `max_tokens`).
        max_sequence_length: The longest token sequence kept.
        lowercase: Case-fold the texts.

    Example:

    ```python
    encoder = TextEncoder(max_tokens=100).fit(["a good movie", "a bad movie"])
    encoder.transform(["a good film"]).shape  # (1, 3)
    ```
    """

    def __init__(self, max_tokens=20000, max_sequence_length=256, lowercase=True):
        self.max_tokens = int(max_tokens)
        self.max_sequence_length = int(max_sequence_length)
        self.lowercase = lowercase
        self.vocabulary = None
        self.sequence_length = None
        self._tokenizer = None

    def fit(self, texts):
        texts = as_strings(texts)
        self.vocabulary = compute_word_piece_vocabulary(
            texts, self.max_tokens, lowercase=self.lowercase, reserved_tokens=RESERVED_TOKENS
        )
        self._tokenizer = None
        lengths = [len(ids) for ids in self.tokenizer(texts)]
        length = int(np.percentile(lengths, 95)) if lengths else 1
        self.sequence_length = max(1, min(length, self.max_sequence_length))
        return self

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._tokenizer = WordPieceTokenizer(
                vocabulary=self.vocabulary, lowercase=self.lowercase, oov_token="[UNK]"
            )
        return self._tokenizer

    @property
    def vocabulary_size(self):
        return len(self.vocabulary)

    def transform(self, texts):
        texts = as_strings(texts)
        out = np.zeros((len(texts), self.sequence_length), dtype="int32")
        for i, ids in enumerate(self.tokenizer(texts)):
            ids = list(ids)[: self.sequence_length]
            out[i, : len(ids)] = ids
        return out

    def get_state(self):
        return {
            "max_tokens": self.max_tokens,
            "max_sequence_length": self.max_sequence_length,
            "lowercase": self.lowercase,
            "vocabulary": self.vocabulary,
            "sequence_length": self.sequence_length,
        }

    @classmethod
    def from_state(cls, state):
        encoder = cls(state["max_tokens"], state["max_sequence_length"], state["lowercase"])
        encoder.vocabulary = list(state["vocabulary"])
        encoder.sequence_length = int(state["sequence_length"])
        return encoder
