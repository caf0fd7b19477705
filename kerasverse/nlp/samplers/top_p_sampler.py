"""`TopPSampler`: nucleus sampling."""

import keras
from keras import ops

from kerasverse.nlp.samplers.sampler import Sampler
from kerasverse.nlp.samplers.sampler import sample_categorical


@keras.saving.register_keras_serializable(package="kerasverse")
class TopPSampler(Sampler):
    """Draws among the smallest set of most likely tokens whose probability reaches `p`.

    Tokens are sorted by probability; a token is kept while the probability
    mass of the tokens before it is below `p` (so the most likely token is
    always kept). `k` optionally caps the candidates first (faster on large
    vocabularies).

    Args:
        p: the probability mass to keep, in (0, 1].
        k: if set, only the `k` most likely tokens are considered.
        seed: seed of the draws.
        temperature: logits are divided by it before the softmax.

    Example:

    ```python
    causal_lm.compile(sampler=TopPSampler(p=0.9, seed=0))
    ```
    """

    uses_random = True

    def __init__(self, p=0.1, k=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if not 0 < p <= 1:
            raise ValueError(f"`p` must be in (0, 1]. Received: p={p!r}")
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k <= 0):
            raise ValueError(f"`k` must be None or a positive integer. Received: k={k!r}")
        self.p = p
        self.k = k

    def get_next_token(self, probabilities, seed):
        k = self.k or ops.shape(probabilities)[-1]
        sorted_probabilities, sorted_indices = ops.top_k(probabilities, k=k, sorted=True)
        mass_before = ops.cumsum(sorted_probabilities, axis=-1) - sorted_probabilities
        keep = ops.less_equal(mass_before, self.p)
        kept = ops.where(keep, sorted_probabilities, ops.zeros_like(sorted_probabilities))
        choice = sample_categorical(ops.log(kept), seed)
        return ops.take_along_axis(sorted_indices, ops.expand_dims(choice, -1), axis=-1)[:, 0]

    def get_config(self):
        return {**super().get_config(), "p": self.p, "k": self.k, "seed": self.seed}
