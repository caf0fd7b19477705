"""`compute_sentence_piece_proto`: trains a SentencePiece model from text."""

import io

from kerasverse.nlp.tokenizers import text_inputs
from kerasverse.nlp.tokenizers.sentence_piece_tokenizer import _sentencepiece


def compute_sentence_piece_proto(
    data,
    vocabulary_size,
    model_type="unigram",
    proto_output_file=None,
    lowercase=False,
):
    """Trains a SentencePiece model (same signature as keras_hub's).

    Args:
        data: an iterable of strings (a list, a generator, a numpy array), or
            a list of file paths ending in `.txt` read line by line.
        vocabulary_size: int. The size of the vocabulary to learn.
        model_type: `"unigram"` (default), `"bpe"`, `"word"` or `"char"`.
        proto_output_file: str. If set, the model is written to this file
            and the path is returned instead of the bytes.
        lowercase: bool. Lower-case the text (NFKC case folding). Defaults
            to `False`.

    Returns:
        The serialized model (`bytes`), or `proto_output_file`.

    Example:

    ```python
    proto = compute_sentence_piece_proto(["the quick brown fox jumps over the lazy dog"] * 10, 30)
    tokenizer = SentencePieceTokenizer(proto=proto)
    ```
    """
    if not isinstance(vocabulary_size, int) or vocabulary_size < 1:
        raise ValueError(f"`vocabulary_size` must be a positive int. Received: vocabulary_size={vocabulary_size!r}")
    if model_type not in ("unigram", "bpe", "word", "char"):
        raise ValueError(
            "`model_type` must be 'unigram', 'bpe', 'word' or 'char'. "
            f"Received: model_type={model_type!r}"
        )
    sentences = _read_sentences(data)
    model = io.BytesIO()
    try:
        _sentencepiece().SentencePieceTrainer.train(
            sentence_iterator=iter(sentences),
            model_writer=model,
            vocab_size=vocabulary_size,
            model_type=model_type,
            normalization_rule_name="nmt_nfkc_cf" if lowercase else "identity",
            minloglevel=2,
        )
    except RuntimeError as error:
        raise ValueError(f"SentencePiece training failed: {error}") from None
    proto = model.getvalue()
    if proto_output_file is not None:
        with open(proto_output_file, "wb") as file:
            file.write(proto)
        return proto_output_file
    return proto


def _read_sentences(data):
    if isinstance(data, (list, tuple)) and data and all(isinstance(d, str) and d.endswith(".txt") for d in data):
        lines = []
        for path in data:
            with open(path, encoding="utf-8") as file:
                lines.extend(line.rstrip("\n") for line in file)
        return lines
    if isinstance(data, (str, bytes)):
        data = [data]
    texts, _ = text_inputs.canonicalize_strings(list(data) if not hasattr(data, "dtype") else data)
    return texts
