"""`ByteTokenizer`: UTF-8 bytes as token ids (0-255)."""

import unicodedata

import keras

from kerasverse.nlp.tokenizers import text_inputs
from kerasverse.nlp.tokenizers.tokenizer import Tokenizer
from kerasverse.nlp.tokenizers.word_piece_tokenizer import casefold

_ERRORS = ("strict", "replace", "ignore")
_NORMALIZATION_FORMS = (None, "NFC", "NFKC", "NFD", "NFKD")


def check_text_options(normalization_form, errors, replacement_char):
    if normalization_form not in _NORMALIZATION_FORMS:
        raise ValueError(
            f"`normalization_form` must be one of {list(_NORMALIZATION_FORMS)}. "
            f"Received: normalization_form={normalization_form!r}"
        )
    if errors not in _ERRORS:
        raise ValueError(f"`errors` must be one of {list(_ERRORS)}. Received: errors={errors!r}")
    if not isinstance(replacement_char, int) or not 0 <= replacement_char <= 0x10FFFF:
        raise ValueError(
            "`replacement_char` must be a Unicode code point (an int in "
            f"[0, 0x10FFFF]). Received: replacement_char={replacement_char!r}"
        )


def normalize_text(text, lowercase, normalization_form):
    if lowercase:
        text = casefold(text)
    if normalization_form:
        text = unicodedata.normalize(normalization_form, text)
    return text


@keras.saving.register_keras_serializable(package="kerasverse")
class ByteTokenizer(Tokenizer):
    """Raw byte tokenizer: each UTF-8 byte of the text is a token id in [0, 255].

    Same arguments as `keras_hub.tokenizers.ByteTokenizer`, host-side.

    Args:
        lowercase: bool. Case-fold the text first. Defaults to `True`.
        sequence_length: int. If set, outputs are padded with 0 or truncated.
        normalization_form: `None`, `"NFC"`, `"NFKC"`, `"NFD"` or `"NFKD"`:
            Unicode normalization applied before encoding.
        errors: what `detokenize` does with bytes that are not valid UTF-8:
            `"replace"` (with `replacement_char`, default), `"ignore"` or
            `"strict"` (raise).
        replacement_char: int. The code point that replaces invalid bytes.
            Defaults to 65533 (U+FFFD).
        dtype: the integer output dtype, or `"string"`. Defaults to `"int32"`.

    Example:

    ```python
    tokenizer = ByteTokenizer()
    tokenizer("hello")  # array([104, 101, 108, 108, 111], dtype=int32)
    tokenizer.detokenize([104, 105])  # "hi"
    ```
    """

    def __init__(
        self,
        lowercase=True,
        sequence_length=None,
        normalization_form=None,
        errors="replace",
        replacement_char=65533,
        dtype="int32",
        **kwargs,
    ):
        super().__init__(dtype=dtype, **kwargs)
        check_text_options(normalization_form, errors, replacement_char)
        self.lowercase = lowercase
        self.sequence_length = sequence_length
        self.normalization_form = normalization_form
        self.errors = errors
        self.replacement_char = replacement_char

    def vocabulary_size(self):
        return 256

    def get_vocabulary(self):
        return [chr(i) for i in range(256)]

    def id_to_token(self, id):
        return chr(self._check_id(id))

    def token_to_id(self, token):
        if not isinstance(token, str) or len(token) != 1 or ord(token) > 255:
            raise ValueError(f"Token {token!r} is not in the vocabulary (single characters U+0000-U+00FF).")
        return ord(token)

    def tokenize(self, inputs):
        """Tokenizes a string or a batch of strings into UTF-8 byte values."""
        texts, outer_shape = text_inputs.canonicalize_strings(inputs)
        rows = [list(normalize_text(t, self.lowercase, self.normalization_form).encode("utf-8")) for t in texts]
        if self.output_dtype == "string":
            rows = [[chr(b) for b in row] for row in rows]
        return text_inputs.ragged_or_dense(rows, outer_shape, self.sequence_length, self.output_dtype)

    def tokenize_with_offsets(self, inputs):
        """Tokens plus each byte's character span in the (normalized) text."""
        texts, outer_shape = text_inputs.canonicalize_strings(inputs)
        ids, starts, ends = [], [], []
        for text in texts:
            text = normalize_text(text, self.lowercase, self.normalization_form)
            row, row_starts, row_ends = [], [], []
            for position, char in enumerate(text):
                encoded = char.encode("utf-8")
                row.extend(encoded)
                row_starts.extend([position] * len(encoded))
                row_ends.extend([position + 1] * len(encoded))
            ids.append(row)
            starts.append(row_starts)
            ends.append(row_ends)
        if self.output_dtype == "string":
            ids = [[chr(b) for b in row] for row in ids]
        shape = lambda rows, dtype: text_inputs.ragged_or_dense(rows, outer_shape, self.sequence_length, dtype)  # noqa: E731
        return shape(ids, self.output_dtype), shape(starts, "int64"), shape(ends, "int64")

    def detokenize(self, inputs):
        """Decodes byte ids back into text (0 padding is dropped)."""
        rows, outer_shape = text_inputs.canonicalize_ids(inputs)
        outputs = []
        for row in rows:
            for value in row:
                if not 0 <= value <= 255:
                    raise ValueError(f"Byte ids must be in [0, 255]. Received: {value}")
            data = bytes(v for v in row if v != 0)
            if self.errors == "replace":
                text = data.decode("utf-8", errors="replace").replace("\ufffd", chr(self.replacement_char))
            else:
                text = data.decode("utf-8", errors=self.errors)
            outputs.append(text)
        return text_inputs.restore_strings(outputs, outer_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "lowercase": self.lowercase,
                "sequence_length": self.sequence_length,
                "normalization_form": self.normalization_form,
                "errors": self.errors,
                "replacement_char": self.replacement_char,
            }
        )
        return config
