"""`SentencePieceTokenizer`: a SentencePiece model (unigram or BPE), host-side."""

import base64
import os

import keras

from kerasverse.nlp.tokenizers import text_inputs
from kerasverse.nlp.tokenizers.tokenizer import Tokenizer

VOCAB_FILENAME = "vocabulary.spm"


def _sentencepiece():
    try:
        import sentencepiece
    except ImportError as error:  # pragma: no cover - part of the nlp extra
        raise ImportError(
            "`SentencePieceTokenizer` needs the `sentencepiece` package. Install "
            "it with `pip install sentencepiece` (or `pip install kerasverse[nlp]`)."
        ) from error
    return sentencepiece


@keras.saving.register_keras_serializable(package="kerasverse")
class SentencePieceTokenizer(Tokenizer):
    """A SentencePiece tokenizer, from a serialized model proto.

    Same arguments as `keras_hub.tokenizers.SentencePieceTokenizer`, backed
    by the `sentencepiece` library (no TensorFlow).

    Args:
        proto: the serialized SentencePiece model: `bytes`, or the path of a
            `.model`/`.spm` file.
        sequence_length: int. If set, outputs are padded with 0 or truncated.
        add_bos: bool. Add the model's begin-of-sequence id. Defaults to `False`.
        add_eos: bool. Add the model's end-of-sequence id. Defaults to `False`.
        dtype: the integer output dtype, or `"string"` for pieces.

    Example:

    ```python
    proto = compute_sentence_piece_proto(["the quick brown fox jumps over the lazy dog"] * 10, 30)
    tokenizer = SentencePieceTokenizer(proto=proto)
    ids = tokenizer("the quick brown fox")
    tokenizer.detokenize(ids)  # "the quick brown fox"
    ```
    """

    def __init__(self, proto=None, sequence_length=None, add_bos=False, add_eos=False, dtype="int32", **kwargs):
        super().__init__(dtype=dtype, **kwargs)
        self.sequence_length = sequence_length
        self.add_bos = add_bos
        self.add_eos = add_eos
        self.file_assets = [VOCAB_FILENAME]
        self._processor = None
        self._proto = None
        self.set_proto(proto)

    def set_proto(self, proto):
        """Loads the SentencePiece model from bytes or a file path."""
        if proto is None:
            self._processor = None
            self._proto = None
            return
        if isinstance(proto, (str, os.PathLike)):
            with open(proto, "rb") as file:
                proto = file.read()
        if not isinstance(proto, (bytes, bytearray)):
            raise ValueError(
                "`proto` must be the serialized model as bytes or a file path. "
                f"Received: proto of type {type(proto).__name__}"
            )
        processor = _sentencepiece().SentencePieceProcessor()
        try:
            processor.LoadFromSerializedProto(bytes(proto))
        except Exception as error:  # sentencepiece raises RuntimeError/OSError
            raise ValueError(
                f"`proto` is not a valid SentencePiece model ({error}). Pass the "
                "bytes of a `.model` file, e.g. from `compute_sentence_piece_proto`."
            ) from None
        self._processor = processor
        self._proto = bytes(proto)
        self._update_special_token_ids()

    def _check_vocabulary(self):
        if getattr(self, "_processor", None) is None:
            raise ValueError(
                "No proto has been set for SentencePieceTokenizer. Pass `proto=` "
                "when creating it (or call `load_assets`)."
            )
        return self._processor

    @property
    def proto(self):
        return self._proto

    def vocabulary_size(self):
        return self._check_vocabulary().GetPieceSize()

    def get_vocabulary(self):
        processor = self._check_vocabulary()
        return [processor.IdToPiece(i) for i in range(processor.GetPieceSize())]

    def id_to_token(self, id):
        return self._check_vocabulary().IdToPiece(self._check_id(id))

    def token_to_id(self, token):
        processor = self._check_vocabulary()
        token_id = processor.PieceToId(token)
        if token_id == processor.unk_id() and token != processor.IdToPiece(token_id):
            raise ValueError(f"Token {token!r} is not in the vocabulary.")
        return token_id

    def tokenize(self, inputs):
        """Tokenizes a string or a batch of strings."""
        processor = self._check_vocabulary()
        texts, outer_shape = text_inputs.canonicalize_strings(inputs)
        out_type = str if self.output_dtype == "string" else int
        rows = processor.Encode(texts, out_type=out_type, add_bos=self.add_bos, add_eos=self.add_eos)
        return text_inputs.ragged_or_dense(rows, outer_shape, self.sequence_length, self.output_dtype)

    def tokenize_with_offsets(self, inputs):
        """Tokens plus each piece's character span in the input string.

        Begin/end-of-sequence ids get empty spans at the start and the end.
        """
        processor = self._check_vocabulary()
        texts, outer_shape = text_inputs.canonicalize_strings(inputs)
        ids, starts, ends = [], [], []
        for text in texts:
            encoded = processor.Encode(text, return_type="proto")
            # Piece offsets are in UTF-8 bytes: map them to characters.
            byte_to_char = []
            for position, char in enumerate(text):
                byte_to_char.extend([position] * len(char.encode("utf-8")))
            byte_to_char.append(len(text))
            row, row_starts, row_ends = [], [], []
            for piece in encoded.pieces:
                row.append(piece.piece if self.output_dtype == "string" else piece.id)
                row_starts.append(byte_to_char[min(piece.begin, len(byte_to_char) - 1)])
                row_ends.append(byte_to_char[min(piece.end, len(byte_to_char) - 1)])
            if self.add_bos:
                bos = processor.bos_id()
                row.insert(0, processor.IdToPiece(bos) if self.output_dtype == "string" else bos)
                row_starts.insert(0, 0)
                row_ends.insert(0, 0)
            if self.add_eos:
                eos = processor.eos_id()
                row.append(processor.IdToPiece(eos) if self.output_dtype == "string" else eos)
                row_starts.append(len(text))
                row_ends.append(len(text))
            ids.append(row)
            starts.append(row_starts)
            ends.append(row_ends)
        shape = lambda rows, dtype: text_inputs.ragged_or_dense(rows, outer_shape, self.sequence_length, dtype)  # noqa: E731
        return shape(ids, self.output_dtype), shape(starts, "int64"), shape(ends, "int64")

    def detokenize(self, inputs):
        """Decodes ids back into text."""
        processor = self._check_vocabulary()
        rows, outer_shape = text_inputs.canonicalize_ids(inputs)
        size = processor.GetPieceSize()
        for row in rows:
            for value in row:
                if not 0 <= value < size:
                    raise ValueError(f"Cannot detokenize id {value}: the vocabulary has {size} ids.")
        return text_inputs.restore_strings(processor.Decode(rows), outer_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "proto": None,
                "proto_base64": None if self._proto is None else base64.b64encode(self._proto).decode("ascii"),
                "sequence_length": self.sequence_length,
                "add_bos": self.add_bos,
                "add_eos": self.add_eos,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        encoded = config.pop("proto_base64", None)
        if encoded is not None and config.get("proto") is None:
            config["proto"] = base64.b64decode(encoded)
        return cls(**config)

    def save_assets(self, dir_path):
        self._check_vocabulary()
        with open(os.path.join(dir_path, VOCAB_FILENAME), "wb") as file:
            file.write(self._proto)

    def load_assets(self, dir_path):
        self.set_proto(os.path.join(dir_path, VOCAB_FILENAME))
