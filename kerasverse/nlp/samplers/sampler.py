"""`Sampler`: the base class of the text-generation samplers."""

import keras
import numpy as np
from keras import ops
from keras import tree


def any_equal(inputs, values, padding_mask):
    """True where `inputs` equals any of `values` and `padding_mask` is True."""
    output = ops.equal(inputs, values[0])
    for value in values[1:]:
        output = ops.logical_or(output, ops.equal(inputs, value))
    return ops.logical_and(output, padding_mask)


def generated_positions(mask, index):
    """True at the positions already generated: not prompt, and before `index`.

    Positions not generated yet hold padding, which may equal a stop token
    (GPT-2 pads with `<|endoftext|>`), so they must not end the loop.
    """
    before = ops.less(ops.arange(ops.shape(mask)[-1]), index)[None, :]
    return ops.logical_and(ops.logical_not(mask), before)


def sample_categorical(logits, seed):
    """One draw per row of `logits` (log-probabilities) with an explicit seed tensor.

    `seed` is a `(2,)` integer tensor carried through the generation loop.
    The JAX backend takes it as a key inside `jit`; the PyTorch backend runs
    the loop eagerly and takes a Python integer derived from it.
    """
    if keras.config.backend() == "jax":
        return keras.random.categorical(logits, 1, seed=seed)[:, 0]
    value = np.asarray(ops.convert_to_numpy(seed)).astype("int64")
    return keras.random.categorical(logits, 1, seed=int((value[0] * 1000003 + value[1]) % (2**31 - 1)))[:, 0]


@keras.saving.register_keras_serializable(package="kerasverse")
class Sampler:
    """Base class of samplers, which pick the next token during generation.

    A causal LM calls the sampler once per `generate`, inside its compiled
    generation function:

    1. `__call__(next, prompt, cache, index, mask, stop_token_ids,
       hidden_states)` loops (with `keras.ops.while_loop`, so the loop is
       part of the compiled graph on JAX) from `index` to the end of
       `prompt`;
    2. each step calls `next(prompt, cache, index)`, which returns the
       logits of the token at `index` (from the token at `index - 1`), the
       hidden states, and the updated cache;
    3. `compute_probabilities(logits)` applies the temperature and softmax;
    4. `get_next_token(probabilities, seed)` picks ids (the one method
       subclasses implement);
    5. positions where `mask` is True (the prompt) keep their token; the
       loop stops early once every row produced one of `stop_token_ids`.

    Args:
        temperature: logits are divided by it before the softmax.

    Example:

    ```python
    class ArgmaxSampler(Sampler):
        def get_next_token(self, probabilities, seed):
            return keras.ops.argmax(probabilities, axis=-1)
    ```
    """

    uses_random = False

    def __init__(self, temperature=1.0, seed=None):
        if not temperature > 0:
            raise ValueError(f"`temperature` must be positive. Received: temperature={temperature!r}")
        self.temperature = temperature
        self.seed = seed
        self._rng = np.random.default_rng(seed)

    def next_seed(self):
        """A fresh `(2,)` seed for one `generate` call (host-side, from `seed`)."""
        return ops.convert_to_tensor(self._rng.integers(0, 2**31 - 1, size=2).astype("uint32"), dtype="uint32")

    def __call__(
        self,
        next,
        prompt,
        cache=None,
        index=0,
        mask=None,
        stop_token_ids=None,
        hidden_states=None,
        model=None,
        seed=None,
    ):
        max_length = ops.shape(prompt)[-1]
        index = ops.cast(index, "int32")
        mask = ops.zeros_like(prompt, dtype="bool") if mask is None else ops.cast(mask, "bool")
        cache = () if cache is None else cache
        seed = ops.zeros((2,), "uint32") if seed is None else seed

        def cond(prompt, cache, index, seed):
            running = ops.less(index, max_length)
            if stop_token_ids is None:
                return running
            done = ops.any(any_equal(prompt, stop_token_ids, generated_positions(mask, index)), axis=-1)
            return ops.logical_and(running, ops.logical_not(ops.all(done)))

        def body(prompt, cache, index, seed):
            logits, _, cache = next(prompt, cache, index)
            probabilities = self.compute_probabilities(logits)
            next_token = ops.cast(self.get_next_token(probabilities, seed), prompt.dtype)
            keep = ops.take(mask, index, axis=1)
            next_token = ops.where(keep, ops.take(prompt, index, axis=1), next_token)
            prompt = ops.slice_update(prompt, [0, index], next_token[:, None])
            return prompt, cache, index + 1, seed + ops.convert_to_tensor(np.array([0, 1], "uint32"))

        prompt, _, _, _ = ops.while_loop(cond, body, (prompt, cache, index, seed))
        return prompt

    def compute_probabilities(self, logits):
        """Softmax of `logits / temperature`, in float32."""
        logits = ops.cast(logits, "float32")
        return keras.activations.softmax(logits / self.temperature)

    def get_next_token(self, probabilities, seed):
        """Picks one id per row from `(batch_size, vocabulary_size)` probabilities."""
        raise NotImplementedError(f"{type(self).__name__} must implement `get_next_token`.")

    def get_config(self):
        return {"temperature": self.temperature}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def map_cache(fn, cache):
    """Applies `fn` to every tensor of a (possibly nested, possibly empty) cache."""
    return tree.map_structure(fn, cache)
