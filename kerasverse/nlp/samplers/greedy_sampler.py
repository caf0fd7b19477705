"""`GreedySampler`: always the most likely token."""

import keras
from keras import ops

from kerasverse.nlp.samplers.sampler import Sampler


@keras.saving.register_keras_serializable(package="kerasverse")
class GreedySampler(Sampler):
    """Picks the most likely token at each step (deterministic).

    Example:

    ```python
    causal_lm.compile(sampler=GreedySampler())
    causal_lm.generate(["the quick brown fox"], max_length=20)
    ```
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def compute_probabilities(self, logits):
        # The softmax is monotonic: its argmax is the logits' argmax, so the
        # greedy choice skips it (one pass over the vocabulary less per step).
        return ops.cast(logits, "float32")

    def get_next_token(self, probabilities, seed):
        return ops.argmax(probabilities, axis=-1)
