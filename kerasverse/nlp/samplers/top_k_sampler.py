"""`TopKSampler`: a draw among the `k` most likely tokens."""

import keras
from keras import ops

from kerasverse.nlp.samplers.sampler import Sampler
from kerasverse.nlp.samplers.sampler import sample_categorical


@keras.saving.register_keras_serializable(package="kerasverse")
class TopKSampler(Sampler):
    """Keeps the `k` most likely tokens and draws one in proportion to their probabilities.

    Args:
        k: how many tokens to keep.
        seed: seed of the draws.
        temperature: logits are divided by it before the softmax.

    Example:

    ```python
    causal_lm.compile(sampler=TopKSampler(k=5, seed=0))
    ```
    """

    uses_random = True

    def __init__(self, k=5, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
            raise ValueError(f"`k` must be a positive integer. Received: k={k!r}")
        self.k = k

    def get_next_token(self, probabilities, seed):
        top_probabilities, top_indices = ops.top_k(probabilities, k=self.k, sorted=False)
        choice = sample_categorical(ops.log(top_probabilities), seed)
        return ops.take_along_axis(top_indices, ops.expand_dims(choice, -1), axis=-1)[:, 0]

    def get_config(self):
        return {**super().get_config(), "k": self.k, "seed": self.seed}
