"""`ContrastiveSampler`: contrastive search (Su et al., 2022)."""

import keras
from keras import ops

from kerasverse.nlp.samplers.sampler import Sampler
from kerasverse.nlp.samplers.sampler import any_equal
from kerasverse.nlp.samplers.sampler import generated_positions
from kerasverse.nlp.samplers.sampler import map_cache


@keras.saving.register_keras_serializable(package="kerasverse")
class ContrastiveSampler(Sampler):
    """Picks, among the `k` most likely tokens, the one that is likely and not repetitive.

    Each candidate is scored `(1 - alpha) * probability - alpha *
    max_similarity`, where `max_similarity` is the largest cosine similarity
    between the candidate's hidden state and the hidden states of the
    tokens before it. Needs `hidden_states` (the causal LM passes them).

    Args:
        k: the number of candidates.
        alpha: the weight of the degeneration penalty, in [0, 1].
        temperature: logits are divided by it before the softmax.

    Example:

    ```python
    causal_lm.compile(sampler=ContrastiveSampler(k=4, alpha=0.6))
    ```
    """

    def __init__(self, k=5, alpha=0.6, **kwargs):
        super().__init__(**kwargs)
        if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
            raise ValueError(f"`k` must be a positive integer. Received: k={k!r}")
        if not 0 <= alpha <= 1:
            raise ValueError(f"`alpha` must be in [0, 1]. Received: alpha={alpha!r}")
        self.k = k
        self.alpha = alpha

    def __call__(self, next, prompt, cache=None, index=0, mask=None, stop_token_ids=None, hidden_states=None, model=None, seed=None):
        if hidden_states is None:
            raise ValueError(
                "ContrastiveSampler needs the `hidden_states` of the prompt. Received: hidden_states=None. "
                "Use it through a causal LM's `generate`, which passes them."
            )
        batch_size, max_length = ops.shape(prompt)[0], ops.shape(prompt)[1]
        k = self.k
        index = ops.cast(index, "int32")
        mask = ops.zeros_like(prompt, dtype="bool") if mask is None else ops.cast(mask, "bool")
        cache = () if cache is None else cache

        def create_beams(x):
            return ops.repeat(x, k, axis=0)

        def unflatten(x):
            return ops.reshape(x, (batch_size, k) + tuple(ops.shape(x)[1:]))

        logits, _, cache = next(prompt, cache, index)

        def cond(prompt, cache, index, logits, hidden_states):
            running = ops.less(index, max_length)
            if stop_token_ids is None:
                return running
            done = ops.any(any_equal(prompt, stop_token_ids, generated_positions(mask, index)), axis=-1)
            return ops.logical_and(running, ops.logical_not(ops.all(done)))

        def body(prompt, cache, index, logits, hidden_states):
            probabilities = self.compute_probabilities(logits)
            top_probabilities, top_indices = ops.top_k(probabilities, k=k, sorted=True)
            forced = ops.take(mask, index, axis=1)[:, None]
            top_indices = ops.where(forced, ops.take(prompt, index, axis=1)[:, None], ops.cast(top_indices, prompt.dtype))
            prompt_beams = ops.slice_update(
                create_beams(prompt), [0, index], ops.reshape(ops.cast(top_indices, prompt.dtype), (-1, 1))
            )
            cache_beams = map_cache(create_beams, cache)
            next_logits, next_hidden, cache_beams = next(prompt_beams, cache_beams, index + 1)
            # Cosine similarity of each candidate with the hidden states before `index`.
            previous = create_beams(hidden_states)
            previous = previous / (ops.norm(previous, axis=-1, keepdims=True) + 1e-12)
            candidate = next_hidden / (ops.norm(next_hidden, axis=-1, keepdims=True) + 1e-12)
            similarity = ops.einsum("bld,bd->bl", previous, candidate)
            before = ops.less(ops.arange(max_length), index)[None, :]
            similarity = ops.where(before, similarity, -2.0)
            max_similarity = unflatten(ops.max(similarity, axis=-1))
            scores = (1 - self.alpha) * top_probabilities - self.alpha * max_similarity
            best = ops.argmax(scores, axis=-1)

            def gather_best(x):
                x = unflatten(x)
                take = ops.reshape(best, (batch_size, 1) + (1,) * (len(x.shape) - 2))
                return ops.take_along_axis(x, take, axis=1)[:, 0]

            prompt = gather_best(prompt_beams)
            cache = map_cache(gather_best, cache_beams)
            logits = gather_best(next_logits)
            hidden_states = ops.slice_update(hidden_states, [0, index, 0], gather_best(next_hidden)[:, None, :])
            return prompt, cache, index + 1, logits, hidden_states

        prompt, *_ = ops.while_loop(cond, body, (prompt, cache, index, logits, hidden_states))
        return prompt

    def get_next_token(self, probabilities, seed):
        return ops.argmax(probabilities, axis=-1)

    def get_config(self):
        return {**super().get_config(), "k": self.k, "alpha": self.alpha}
