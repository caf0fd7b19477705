"""`RougeN`: n-gram overlap between predictions and references."""

import keras

from kerasverse.nlp.metrics import rouge


@keras.saving.register_keras_serializable(package="kerasverse")
class RougeN(rouge.RougeBase):
    """ROUGE-N: n-gram overlap precision, recall and F1, averaged over samples.

    Same signature as `keras_hub.metrics.RougeN` and the same numbers as
    Google's `rouge-score` package (lower-cased, split on non-alphanumerics,
    optional Porter stemming), computed on the host.

    Args:
        order: int. The n-gram order, 1 to 9. Defaults to 2.
        use_stemmer: bool. Porter-stem words longer than 3 letters (needs
            `nltk`). Defaults to `False`.
        dtype: float dtype of the result. Defaults to `"float32"`.
        name: the metric name. Defaults to `"rouge-n"`.

    Example:

    ```python
    rouge_n = RougeN(order=1)
    rouge_n(["the tiny little cat was found"], ["the cat was found"])
    # {"precision": 1.0, "recall": 0.6667, "f1_score": 0.8}
    ```
    """

    def __init__(self, order=2, use_stemmer=False, dtype="float32", name="rouge-n", **kwargs):
        if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= 9:
            raise ValueError(f"`order` must be an int in [1, 9]. Received: order={order!r}")
        super().__init__(use_stemmer=use_stemmer, dtype=dtype, name=name, **kwargs)
        self.order = order

    def _score(self, reference_tokens, prediction_tokens):
        return rouge.score_ngrams(
            rouge.ngrams(reference_tokens, self.order), rouge.ngrams(prediction_tokens, self.order)
        )

    def get_config(self):
        config = super().get_config()
        config["order"] = self.order
        return config
