"""`RougeL`: longest-common-subsequence overlap."""

import keras

from kerasverse.nlp.metrics import rouge


@keras.saving.register_keras_serializable(package="kerasverse")
class RougeL(rouge.RougeBase):
    """ROUGE-L: longest common subsequence precision, recall and F1.

    Same signature as `keras_hub.metrics.RougeL` and the same numbers as
    Google's `rouge-score` package, averaged over samples, on the host.

    Args:
        use_stemmer: bool. Porter-stem words longer than 3 letters (needs
            `nltk`). Defaults to `False`.
        dtype: float dtype of the result. Defaults to `"float32"`.
        name: the metric name. Defaults to `"rouge-l"`.

    Example:

    ```python
    rouge_l = RougeL()
    rouge_l(["the tiny little cat was found"], ["the cat was found"])
    # {"precision": 1.0, "recall": 0.6667, "f1_score": 0.8}
    ```
    """

    def __init__(self, use_stemmer=False, dtype="float32", name="rouge-l", **kwargs):
        super().__init__(use_stemmer=use_stemmer, dtype=dtype, name=name, **kwargs)

    def _score(self, reference_tokens, prediction_tokens):
        if not reference_tokens or not prediction_tokens:
            return 0.0, 0.0, 0.0
        lcs = rouge.lcs_length(reference_tokens, prediction_tokens)
        precision = lcs / len(prediction_tokens)
        recall = lcs / len(reference_tokens)
        return precision, recall, rouge.fmeasure(precision, recall)
