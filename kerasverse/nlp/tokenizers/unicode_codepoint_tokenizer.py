"""`UnicodeCodepointTokenizer`: Unicode code points as token ids."""

import keras

from kerasverse.nlp.tokenizers import text_inputs
from kerasverse.nlp.tokenizers.byte_tokenizer import check_text_options
from kerasverse.nlp.tokenizers.byte_tokenizer import normalize_text
from kerasverse.nlp.tokenizers.tokenizer import Tokenizer


@keras.saving.register_keras_serializable(package="kerasverse")
class UnicodeCodepointTokenizer(Tokenizer):
    """Character tokenizer: each Unicode code point of the text is a token id.

    Same arguments as `keras_hub.tokenizers.UnicodeCodepointTokenizer`
    (UTF-8 input and output), host-side.

    Args:
        sequence_length: int. If set, outputs are padded with 0 or truncated.
        lowercase: bool. Case-fold the text first. Defaults to `True`.
        normalization_form: `None`, `"NFC"`, `"NFKC"`, `"NFD"` or `"NFKD"`.
        errors: `"replace"` (default), `"ignore"` or `"strict"`: what
            `detokenize` does with ids that are not code points.
        replacement_char: int. The code point replacing invalid ones.
            Defaults to 65533 (U+FFFD).
        input_encoding: only `"UTF-8"` (the text is a Python string).
        output_encoding: only `"UTF-8"`.
        vocabulary_size: int. If set, code points at or above it become
            `vocabulary_size - 1` (as keras_hub clamps them).
        dtype: the integer output dtype, or `"string"`. Defaults to `"int32"`.

    Example:

    ```python
    tokenizer = UnicodeCodepointTokenizer()
    tokenizer("Ab€")  # array([97, 98, 8364], dtype=int32)
    tokenizer.detokenize([97, 98, 8364])  # "ab€"
    ```
    """

    def __init__(
        self,
        sequence_length=None,
        lowercase=True,
        normalization_form=None,
        errors="replace",
        replacement_char=65533,
        input_encoding="UTF-8",
        output_encoding="UTF-8",
        vocabulary_size=None,
        dtype="int32",
        **kwargs,
    ):
        super().__init__(dtype=dtype, **kwargs)
        check_text_options(normalization_form, errors, replacement_char)
        for name, value in (("input_encoding", input_encoding), ("output_encoding", output_encoding)):
            if str(value).upper().replace("-", "") != "UTF8":
                raise ValueError(f"Only UTF-8 is supported for `{name}`. Received: {name}={value!r}")
        self.sequence_length = sequence_length
        self.lowercase = lowercase
        self.normalization_form = normalization_form
        self.errors = errors
        self.replacement_char = replacement_char
        self.input_encoding = input_encoding
        self.output_encoding = output_encoding
        self._vocabulary_size = vocabulary_size

    def vocabulary_size(self):
        return self._vocabulary_size if self._vocabulary_size is not None else 0x110000

    def get_vocabulary(self):
        return [chr(i) for i in range(self.vocabulary_size())]

    def id_to_token(self, id):
        return chr(self._check_id(id))

    def token_to_id(self, token):
        if not isinstance(token, str) or len(token) != 1 or ord(token) >= self.vocabulary_size():
            raise ValueError(f"Token {token!r} is not in the vocabulary (one character below vocabulary_size).")
        return ord(token)

    def _rows(self, texts):
        rows = [[ord(c) for c in normalize_text(t, self.lowercase, self.normalization_form)] for t in texts]
        if self._vocabulary_size is not None:
            top = self._vocabulary_size - 1
            rows = [[min(c, top) for c in row] for row in rows]
        return rows

    def tokenize(self, inputs):
        """Tokenizes a string or a batch of strings into code points."""
        texts, outer_shape = text_inputs.canonicalize_strings(inputs)
        rows = self._rows(texts)
        if self.output_dtype == "string":
            rows = [[chr(c) for c in row] for row in rows]
        return text_inputs.ragged_or_dense(rows, outer_shape, self.sequence_length, self.output_dtype)

    def tokenize_with_offsets(self, inputs):
        """Tokens plus each character's span (in the normalized text)."""
        texts, outer_shape = text_inputs.canonicalize_strings(inputs)
        rows = self._rows(texts)
        starts = [list(range(len(row))) for row in rows]
        ends = [list(range(1, len(row) + 1)) for row in rows]
        if self.output_dtype == "string":
            rows = [[chr(c) for c in row] for row in rows]
        shape = lambda rows, dtype: text_inputs.ragged_or_dense(rows, outer_shape, self.sequence_length, dtype)  # noqa: E731
        return shape(rows, self.output_dtype), shape(starts, "int64"), shape(ends, "int64")

    def detokenize(self, inputs):
        """Code points back to text (0 padding is dropped)."""
        rows, outer_shape = text_inputs.canonicalize_ids(inputs)
        outputs = []
        for row in rows:
            chars = []
            for value in row:
                if value == 0:
                    continue
                valid = 0 < value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF
                if valid:
                    chars.append(chr(value))
                elif self.errors == "strict":
                    raise ValueError(f"Id {value} is not a Unicode code point (errors='strict').")
                elif self.errors == "replace":
                    chars.append(chr(self.replacement_char))
            outputs.append("".join(chars))
        return text_inputs.restore_strings(outputs, outer_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "sequence_length": self.sequence_length,
                "lowercase": self.lowercase,
                "normalization_form": self.normalization_form,
                "errors": self.errors,
                "replacement_char": self.replacement_char,
                "input_encoding": self.input_encoding,
                "output_encoding": self.output_encoding,
                "vocabulary_size": self._vocabulary_size,
            }
        )
        return config


