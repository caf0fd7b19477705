"""`Bleu`: corpus BLEU with SacreBLEU's default (13a) tokenization."""

import collections
import math
import re

import keras
import numpy as np

from kerasverse.nlp.metrics import text_metric

# SacreBLEU's "13a" tokenization (the mteval-v13a rules).
_13A_RULES = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
]


def tokenize_13a(text):
    """Splits `text` like SacreBLEU's default `13a` tokenizer."""
    text = text.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in text:
        text = text.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    text = f" {text} "
    for pattern, replacement in _13A_RULES:
        text = pattern.sub(replacement, text)
    return text.split()


def _ngrams(tokens, max_order):
    counts = collections.Counter()
    for order in range(1, max_order + 1):
        for i in range(len(tokens) - order + 1):
            counts[tuple(tokens[i : i + order])] += 1
    return counts


@keras.saving.register_keras_serializable(package="kerasverse")
class Bleu(keras.metrics.Metric):
    """Corpus BLEU score (0 to 1), accumulated over `update_state` calls.

    Same signature and formula as `keras_hub.metrics.Bleu`: n-gram matches
    are clipped by the references, precisions are combined by a geometric
    mean, times the brevity penalty; the reference length of a sample is its
    shortest reference. Text is split with SacreBLEU's default `13a`
    tokenizer unless `tokenizer` is given. With one reference per sample and
    `smooth=False` it equals `sacrebleu.corpus_bleu(...).score / 100` with
    `smooth_method="none"`. Computed on the host.

    Args:
        tokenizer: a callable from a string to a list of tokens (e.g. a
            kerasverse tokenizer's `tokenize`). Defaults to `13a`.
        max_order: int. The longest n-gram. Defaults to 4.
        smooth: bool. Lin et al. (2004) smoothing: add 1 to the matches and
            the possible matches of every order. Defaults to `False`.
        dtype: float dtype of the result. Defaults to `"float32"`.
        name: the metric name. Defaults to `"bleu"`.

    Call arguments (`update_state`):
        y_true: references: a string, a list of references for one
            prediction, or a batch: a list (one entry per prediction) of
            strings or of lists of strings.
        y_pred: a prediction string or a list of them.

    Example:

    ```python
    bleu = Bleu()
    bleu(["the cat sat on the mat"], ["the cat sat on a mat"])
    ```
    """

    def __init__(self, tokenizer=None, max_order=4, smooth=False, dtype="float32", name="bleu", **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if "float" not in str(keras.backend.standardize_dtype(dtype)):
            raise ValueError(f"`dtype` must be a floating point type. Received: dtype={dtype}")
        if isinstance(max_order, bool) or not isinstance(max_order, int) or max_order < 1:
            raise ValueError(f"`max_order` must be a positive int. Received: max_order={max_order!r}")
        self.tokenizer = tokenizer
        self.max_order = max_order
        self.smooth = smooth
        self._matches = self.add_variable(shape=(max_order,), initializer="zeros", dtype=self.dtype, name="matches")
        self._possible_matches = self.add_variable(
            shape=(max_order,), initializer="zeros", dtype=self.dtype, name="possible_matches"
        )
        self._translation_length = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="translation_length")
        self._reference_length = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="reference_length")

    def _tokenize(self, text):
        if self.tokenizer is None:
            return tokenize_13a(text)
        tokens = self.tokenizer(text)
        return text_metric.to_python(tokens)

    def _canonicalize(self, y_true, y_pred):
        predictions = text_metric.to_python(y_pred)
        single = isinstance(predictions, str)
        predictions = [predictions] if single else predictions
        if not isinstance(predictions, list) or not predictions or not all(isinstance(p, str) for p in predictions):
            raise TypeError(f"`y_pred` must be a string or a non-empty list of strings. Received: y_pred={y_pred!r:.80}")
        references = text_metric.to_python(y_true)
        if isinstance(references, str):
            references = [[references]]
        elif single and isinstance(references, list) and all(isinstance(r, str) for r in references):
            references = [references]
        elif isinstance(references, list) and all(isinstance(r, str) for r in references):
            references = [[r] for r in references]
        if not (
            isinstance(references, list)
            and all(isinstance(r, list) and r and all(isinstance(s, str) for s in r) for r in references)
        ):
            raise TypeError(
                "`y_true` must be a string, a list of strings, or a list of lists "
                f"of strings. Received: y_true={y_true!r:.80}"
            )
        if len(references) != len(predictions):
            raise ValueError(
                "`y_true` and `y_pred` must describe as many samples. Received: "
                f"{len(references)} reference sets and {len(predictions)} predictions."
            )
        return references, predictions

    def update_state(self, y_true, y_pred, sample_weight=None):
        references, predictions = self._canonicalize(y_true, y_pred)
        matches = np.zeros(self.max_order)
        possible = np.zeros(self.max_order)
        translation_length = reference_length = 0
        for refs, prediction in zip(references, predictions):
            refs = [self._tokenize(r) for r in refs]
            prediction = self._tokenize(prediction)
            reference_length += min(len(r) for r in refs)
            translation_length += len(prediction)
            merged = collections.Counter()
            for ref in refs:
                merged |= _ngrams(ref, self.max_order)
            overlap = _ngrams(prediction, self.max_order) & merged
            for ngram, count in overlap.items():
                matches[len(ngram) - 1] += count
            for order in range(1, self.max_order + 1):
                possible[order - 1] += max(len(prediction) - order + 1, 0)
        self._matches.assign(text_metric.read(self._matches) + matches)
        self._possible_matches.assign(text_metric.read(self._possible_matches) + possible)
        self._translation_length.assign(float(text_metric.read(self._translation_length)) + translation_length)
        self._reference_length.assign(float(text_metric.read(self._reference_length)) + reference_length)

    def result(self):
        matches = text_metric.read(self._matches).astype("float64")
        possible = text_metric.read(self._possible_matches).astype("float64")
        translation_length = float(text_metric.read(self._translation_length))
        reference_length = float(text_metric.read(self._reference_length))
        if self.smooth:
            precisions = (matches + 1.0) / (possible + 1.0)
        else:
            precisions = np.divide(matches, possible, out=np.zeros_like(matches), where=possible > 0)
        if precisions.min() <= 0 or translation_length == 0 or reference_length == 0:
            return 0.0
        geometric_mean = math.exp(sum(math.log(p) for p in precisions) / self.max_order)
        ratio = translation_length / reference_length
        brevity_penalty = 1.0 if ratio > 1.0 else math.exp(1 - 1.0 / ratio)
        return geometric_mean * brevity_penalty

    def reset_state(self):
        for variable in (self._matches, self._possible_matches):
            variable.assign(np.zeros(self.max_order))
        self._translation_length.assign(0.0)
        self._reference_length.assign(0.0)

    def get_config(self):
        config = super().get_config()
        config.update({"tokenizer": self.tokenizer, "max_order": self.max_order, "smooth": self.smooth})
        return config
