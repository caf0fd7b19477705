"""`BeamSampler`: beam search."""

import keras
import numpy as np
from keras import ops

from kerasverse.nlp.samplers.sampler import Sampler
from kerasverse.nlp.samplers.sampler import any_equal
from kerasverse.nlp.samplers.sampler import generated_positions
from kerasverse.nlp.samplers.sampler import map_cache

_NEGATIVE = -1e9


@keras.saving.register_keras_serializable(package="kerasverse")
class BeamSampler(Sampler):
    """Keeps the `num_beams` most likely sequences and returns the best one.

    Each step extends every beam by every token, scores the extensions by
    their summed log-probability and keeps the `num_beams` best (prompt
    positions are forced and add nothing to the score). The cache is
    replicated per beam and reordered with the beams.

    Args:
        num_beams: the beam width.
        return_all_beams: return `(sequences, log_probabilities)` of every
            beam, best first, instead of the best sequence only.
        temperature: logits are divided by it before the softmax.

    Example:

    ```python
    causal_lm.compile(sampler=BeamSampler(num_beams=3))
    ```
    """

    def __init__(self, num_beams=5, return_all_beams=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(num_beams, bool) or not isinstance(num_beams, int) or num_beams <= 0:
            raise ValueError(f"`num_beams` must be a positive integer. Received: num_beams={num_beams!r}")
        self.num_beams = num_beams
        self.return_all_beams = return_all_beams

    def __call__(self, next, prompt, cache=None, index=0, mask=None, stop_token_ids=None, hidden_states=None, model=None, seed=None):
        batch_size, max_length = ops.shape(prompt)[0], ops.shape(prompt)[1]
        num_beams = self.num_beams
        index = ops.cast(index, "int32")
        mask = ops.zeros_like(prompt, dtype="bool") if mask is None else ops.cast(mask, "bool")
        cache = () if cache is None else cache

        def create_beams(x):  # (batch, ...) -> (batch * beams, ...)
            return ops.repeat(x, num_beams, axis=0)

        def unflatten(x):
            return ops.reshape(x, (batch_size, num_beams) + tuple(ops.shape(x)[1:]))

        def flatten(x):
            return ops.reshape(x, (batch_size * num_beams,) + tuple(ops.shape(x)[2:]))

        prompt, mask = create_beams(prompt), create_beams(mask)
        cache = map_cache(create_beams, cache)
        # Start with one live beam per row so the first step does not pick duplicates.
        initial = np.full((1, num_beams), _NEGATIVE, "float32")
        initial[:, 0] = 0.0
        log_probabilities = ops.tile(ops.convert_to_tensor(initial), (batch_size, 1))

        def cond(prompt, cache, index, log_probabilities):
            running = ops.less(index, max_length)
            if stop_token_ids is None:
                return running
            done = ops.any(any_equal(prompt, stop_token_ids, generated_positions(mask, index)), axis=-1)
            return ops.logical_and(running, ops.logical_not(ops.all(done)))

        def body(prompt, cache, index, log_probabilities):
            logits, _, cache = next(prompt, cache, index)
            vocabulary_size = ops.shape(logits)[-1]
            step_log_probabilities = ops.log(self.compute_probabilities(logits) + 1e-30)
            forced = ops.take(mask, index, axis=1)
            forced_token = ops.take(prompt, index, axis=1)
            is_forced_token = ops.equal(ops.arange(vocabulary_size, dtype=forced_token.dtype)[None, :], forced_token[:, None])
            step_log_probabilities = ops.where(
                forced[:, None],
                ops.where(is_forced_token, 0.0, _NEGATIVE),
                step_log_probabilities,
            )
            scores = step_log_probabilities + ops.reshape(log_probabilities, (-1, 1))
            scores = ops.reshape(scores, (batch_size, num_beams * vocabulary_size))
            log_probabilities, indices = ops.top_k(scores, k=num_beams, sorted=False)
            beam_indices = indices // vocabulary_size
            next_token = flatten(indices % vocabulary_size)

            def gather_beams(x):
                x = unflatten(x)
                take = ops.reshape(beam_indices, tuple(ops.shape(beam_indices)) + (1,) * (len(x.shape) - 2))
                return flatten(ops.take_along_axis(x, take, axis=1))

            prompt = gather_beams(prompt)
            cache = map_cache(gather_beams, cache)
            prompt = ops.slice_update(prompt, [0, index], ops.cast(next_token, prompt.dtype)[:, None])
            return prompt, cache, index + 1, log_probabilities

        prompt, _, _, log_probabilities = ops.while_loop(cond, body, (prompt, cache, index, log_probabilities))
        all_prompts = unflatten(prompt)
        order = ops.argsort(-log_probabilities, axis=-1)
        if self.return_all_beams:
            sorted_prompts = ops.take_along_axis(all_prompts, order[:, :, None], axis=1)
            return sorted_prompts, ops.take_along_axis(log_probabilities, order, axis=1)
        best = order[:, :1]
        return ops.take_along_axis(all_prompts, best[:, :, None], axis=1)[:, 0]

    def get_next_token(self, probabilities, seed):
        return ops.argmax(probabilities, axis=-1)

    def get_config(self):
        return {**super().get_config(), "num_beams": self.num_beams, "return_all_beams": self.return_all_beams}
