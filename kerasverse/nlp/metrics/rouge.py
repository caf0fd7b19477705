"""Shared ROUGE machinery: tokenization, n-grams, LCS, the metric base class."""

import collections
import re

import keras
import numpy as np

from kerasverse.nlp.metrics import text_metric

_NON_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
_VALID_TOKEN = re.compile(r"^[a-z0-9]+$")


def tokenize(text, stemmer=None):
    """rouge-score's default tokenization: lower-case, split on non-alphanumerics."""
    tokens = _NON_ALPHANUMERIC.sub(" ", text.lower()).split()
    if stemmer is not None:
        tokens = [stemmer.stem(t) if len(t) > 3 else t for t in tokens]
    return [t for t in tokens if _VALID_TOKEN.match(t)]


def ngrams(tokens, order):
    return collections.Counter(tuple(tokens[i : i + order]) for i in range(len(tokens) - order + 1))


def fmeasure(precision, recall):
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def score_ngrams(reference_ngrams, prediction_ngrams):
    overlap = sum((reference_ngrams & prediction_ngrams).values())
    precision = overlap / max(sum(prediction_ngrams.values()), 1)
    recall = overlap / max(sum(reference_ngrams.values()), 1)
    return precision, recall, fmeasure(precision, recall)


def lcs_length(a, b):
    """Length of the longest common subsequence (dynamic programming)."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def _porter_stemmer():
    try:
        from nltk.stem import porter
    except ImportError as error:
        raise ImportError(
            "`use_stemmer=True` needs `nltk` (Porter stemmer). Install it with `pip install nltk`."
        ) from error
    return porter.PorterStemmer("ORIGINAL_ALGORITHM")


class RougeBase(keras.metrics.Metric):
    """Averages per-sample ROUGE precision, recall and F1 (host-side).

    Subclasses implement `_score(reference_tokens, prediction_tokens)`.
    `update_state(y_true, y_pred)` takes a string or a batch of strings for
    each; `result()` is a dict with `"precision"`, `"recall"`, `"f1_score"`.
    """

    def __init__(self, use_stemmer=False, dtype="float32", name="rouge", **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if "float" not in str(keras.backend.standardize_dtype(dtype)):
            raise ValueError(f"`dtype` must be a floating point type. Received: dtype={dtype}")
        self.use_stemmer = use_stemmer
        self._stemmer = _porter_stemmer() if use_stemmer else None
        self._sums = self.add_variable(shape=(3,), initializer="zeros", dtype=self.dtype, name="score_sums")
        self._number_of_samples = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="number_of_samples"
        )

    def _score(self, reference_tokens, prediction_tokens):
        """`(precision, recall, f1)` of one pair of token lists; `RougeN` and `RougeL` define it."""
        raise NotImplementedError(f"{type(self).__name__} must implement `_score` (see `RougeN`, `RougeL`).")

    def update_state(self, y_true, y_pred, sample_weight=None):
        references = text_metric.string_batch(y_true, "y_true")
        predictions = text_metric.string_batch(y_pred, "y_pred")
        if len(references) != len(predictions):
            raise ValueError(
                "`y_true` and `y_pred` must hold as many strings. Received: "
                f"{len(references)} references and {len(predictions)} predictions."
            )
        sums = np.zeros(3)
        for reference, prediction in zip(references, predictions):
            sums += self._score(tokenize(reference, self._stemmer), tokenize(prediction, self._stemmer))
        self._sums.assign(text_metric.read(self._sums) + sums)
        self._number_of_samples.assign(float(text_metric.read(self._number_of_samples)) + len(references))

    def result(self):
        count = float(text_metric.read(self._number_of_samples))
        sums = text_metric.read(self._sums)
        values = sums / count if count else np.zeros(3)
        return {name: float(v) for name, v in zip(("precision", "recall", "f1_score"), values)}

    def reset_state(self):
        self._sums.assign(np.zeros(3))
        self._number_of_samples.assign(0.0)

    def get_config(self):
        config = super().get_config()
        config["use_stemmer"] = self.use_stemmer
        return config
