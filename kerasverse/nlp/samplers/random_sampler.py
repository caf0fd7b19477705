"""`RandomSampler`: a draw from the whole distribution."""

import keras
from keras import ops

from kerasverse.nlp.samplers.sampler import Sampler
from kerasverse.nlp.samplers.sampler import sample_categorical


@keras.saving.register_keras_serializable(package="kerasverse")
class RandomSampler(Sampler):
    """Draws the next token from the full softmax distribution.

    Args:
        seed: seed of the draws (each `generate` call draws a new key from it).
        temperature: logits are divided by it before the softmax.

    Example:

    ```python
    causal_lm.compile(sampler=RandomSampler(seed=0, temperature=0.8))
    ```
    """

    uses_random = True

    def __init__(self, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)

    def get_next_token(self, probabilities, seed):
        return sample_categorical(ops.log(probabilities), seed)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}
