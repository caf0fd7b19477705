"""`compute_word_piece_vocabulary`: learns a WordPiece vocabulary from text."""

from collections import Counter

import numpy as np

from kerasverse.nlp.tokenizers import text_inputs
from kerasverse.nlp.tokenizers.word_piece_tokenizer import _WordPieceEngine
from kerasverse.nlp.tokenizers.word_piece_tokenizer import casefold

DEFAULT_RESERVED_TOKENS = ["[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"]


def compute_word_piece_vocabulary(
    data,
    vocabulary_size,
    vocabulary_output_file=None,
    lowercase=False,
    strip_accents=False,
    split=True,
    split_on_cjk=True,
    suffix_indicator="##",
    reserved_tokens=None,
):
    """Learns a WordPiece vocabulary (same signature as keras_hub's).

    The text is pre-tokenized exactly as `WordPieceTokenizer` does with the
    same options, then the vocabulary is learned with Hugging Face
    `tokenizers`' WordPiece trainer. The reserved tokens come first.

    Args:
        data: the training text: a list or numpy array of strings, an
            iterable of strings or of string batches (a batched
            `tf.data.Dataset`, a generator, a `torch` `DataLoader`), or a
            list of `.txt` file paths (one text per line).
        vocabulary_size: int. The maximum size of the vocabulary.
        vocabulary_output_file: str. If set, the vocabulary is written there
            (one token per line) and `None` is returned.
        lowercase, strip_accents, split, split_on_cjk, suffix_indicator: as
            in `WordPieceTokenizer`.
        reserved_tokens: list of str placed first. Defaults to
            `["[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"]`.

    Returns:
        The vocabulary as a list of strings (or `None` when written to a file).

    Example:

    ```python
    vocab = compute_word_piece_vocabulary(["The quick brown fox."] * 5, 40, lowercase=True)
    tokenizer = WordPieceTokenizer(vocabulary=vocab, lowercase=True)
    ```
    """
    from tokenizers import Tokenizer
    from tokenizers import models
    from tokenizers import pre_tokenizers
    from tokenizers import trainers

    if not isinstance(vocabulary_size, int) or vocabulary_size < 1:
        raise ValueError(f"`vocabulary_size` must be a positive int. Received: vocabulary_size={vocabulary_size!r}")
    reserved_tokens = list(DEFAULT_RESERVED_TOKENS if reserved_tokens is None else reserved_tokens)
    if len(reserved_tokens) > vocabulary_size:
        raise ValueError(
            f"`vocabulary_size` ({vocabulary_size}) must be at least the number of "
            f"reserved tokens ({len(reserved_tokens)}). Received: reserved_tokens={reserved_tokens}"
        )
    # Pre-tokenize with the tokenizer's own rules and count words.
    engine = _WordPieceEngine(
        ["[UNK]"], suffix_indicator, "[UNK]", lowercase, strip_accents, split, split_on_cjk, None
    )
    counts = Counter()
    for text in _read_texts(data):
        for word, _, _ in engine.pretokenize(text):
            counts[casefold(word) if lowercase else word] += 1
    unk = "[UNK]" if "[UNK]" in reserved_tokens else reserved_tokens[0] if reserved_tokens else "[UNK]"
    tokenizer = Tokenizer(models.WordPiece(unk_token=unk, continuing_subword_prefix=suffix_indicator))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocabulary_size,
        special_tokens=reserved_tokens,
        continuing_subword_prefix=suffix_indicator,
        show_progress=False,
        min_frequency=1,
    )
    words = [w for w in counts if w and not any(c.isspace() for c in w)]

    def batches():
        for word in words:
            yield " ".join([word] * min(counts[word], 1000))

    tokenizer.train_from_iterator(batches(), trainer=trainer, length=len(words))
    learned = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    vocabulary = list(reserved_tokens) + [t for t, _ in learned if t not in set(reserved_tokens)]
    vocabulary = vocabulary[:vocabulary_size]
    if vocabulary_output_file is not None:
        with open(vocabulary_output_file, "w", encoding="utf-8") as file:
            file.writelines(f"{token}\n" for token in vocabulary)
        return None
    return vocabulary


def _read_texts(data):
    """Yields the strings of `data`: file paths, strings, or an iterable of string batches."""
    if isinstance(data, (list, tuple)) and data and all(isinstance(d, str) and d.endswith(".txt") for d in data):
        for path in data:
            with open(path, encoding="utf-8") as file:
                yield from (line.rstrip("\n") for line in file)
        return
    if isinstance(data, (str, bytes)):
        yield from text_inputs.canonicalize_strings(data)[0]
        return
    if hasattr(data, "numpy") and hasattr(data, "dtype"):  # One tensor of strings (TF, duck-typed).
        data = np.asarray(data.numpy())
    if isinstance(data, np.ndarray):
        if data.size:
            yield from text_inputs.canonicalize_strings(data)[0]
        return
    if not hasattr(data, "__iter__"):
        raise TypeError(
            "`data` must be a list of strings, a numpy array of strings, an iterable of string "
            "batches (e.g. a `tf.data.Dataset` or a generator) or a list of `.txt` files. "
            f"Received: data={data!r} (of type {type(data).__name__})"
        )
    for position, element in enumerate(data):
        if hasattr(element, "numpy") and hasattr(element, "dtype"):  # A TF tensor: no TF import.
            element = np.asarray(element.numpy())
        if isinstance(element, (str, bytes, np.str_, np.bytes_)):
            yield text_inputs.canonicalize_strings(element)[0][0]
        elif isinstance(element, np.ndarray) and element.dtype.kind in ("U", "S", "O"):
            if element.size:
                yield from text_inputs.canonicalize_strings(element)[0]
        elif isinstance(element, list) and all(isinstance(e, (str, bytes)) for e in element):
            if element:
                yield from text_inputs.canonicalize_strings(element)[0]
        else:
            raise TypeError(
                "`data` must yield strings or batches of strings. Element "
                f"{position} is {_short(element)}. A labelled dataset yields "
                "`(text, label)` pairs: pass the text only, e.g. "
                "`ds.map(lambda text, label: text)`."
            )


def _short(value, limit=80):
    text = repr(value)
    return f"{text[:limit]}{'...' if len(text) > limit else ''} (of type {type(value).__name__})"
