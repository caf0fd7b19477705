"""`CausalLM`: the base of next-token language models, with compiled cached generation."""

import re

import keras
import numpy as np
from keras import ops

from kerasverse.models import Task
from kerasverse.nlp import samplers as samplers_module
from kerasverse.nlp.layers.modeling.reversible_embedding import ReversibleEmbedding
from kerasverse.nlp.layers.modeling.reversible_embedding import check_quantization_mode
from kerasverse.nlp.samplers.sampler import any_equal


def _selected(layer, filters):
    """Whether `Model.quantize(filters=...)` selects `layer` (a regex, a list of them, or a callable)."""
    if filters is None:
        return True
    if isinstance(filters, str):
        return re.search(filters, layer.name) is not None
    if isinstance(filters, (list, tuple)):
        return any(re.search(pattern, layer.name) for pattern in filters)
    return bool(filters(layer))


class CausalLM(Task):
    """Base class of causal language models (`generate` with a KV cache).

    Subclasses implement `call_with_cache(token_ids, cache,
    cache_update_index)` → `(logits, hidden_states, cache)` and
    `build_cache(token_ids, num_prefill_tokens=None)` →
    `(hidden_states, cache)` (the cache filled with the keys and values of
    the first `num_prefill_tokens` tokens, all of them when None;
    `prefill_in_chunks` does the chunked filling).

    `generate(prompts, max_length)`:

    1. the preprocessor pads the prompts to exactly `max_length` tokens
       (fixed shapes: the compiled function is reused for every call with
       the same batch size and `max_length`);
    2. `generate_step` fills the cache from the prompt in chunks of
       `prefill_chunk_length` tokens, only as many chunks as the shortest
       prompt needs (a loop with a data-dependent trip count: no work on the
       padding, and no recompilation when the prompt length changes), then
       the sampler (chosen with `compile(sampler=...)`) adds one token per
       step inside a `keras.ops.while_loop`, reusing the cache;
    3. on JAX the whole of `generate_step` — prefill and sampling loop — is
       one `jax.jit` function taking the weights as arguments, compiled on
       the first call and reused after (`num_generate_compilations` counts
       traces); on PyTorch it runs eagerly under `torch.no_grad()`;
    4. the preprocessor turns ids back into strings.
    """

    # Tokens per prefill chunk: large enough for matrix-matrix products,
    # small enough that a short prompt does little wasted work.
    prefill_chunk_length = 16

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sampler = samplers_module.get("greedy")
        self.generate_function = None
        self._generate_trace_count = 0

    def compile(self, optimizer="auto", loss="auto", *, weighted_metrics="auto", sampler="greedy", **kwargs):
        """Configures training and generation.

        Args:
            optimizer: `"auto"` is Adam(2e-5).
            loss: `"auto"` is sparse categorical cross-entropy on logits.
            weighted_metrics: `"auto"` is sparse categorical accuracy (the
                preprocessor's sample weights mask the padding).
            sampler: a sampler name (`"greedy"`, `"top_k"`, ...) or
                instance, used by `generate`.
            **kwargs: `keras.Model.compile` arguments.
        """
        if optimizer == "auto":
            optimizer = keras.optimizers.Adam(2e-5)
        if loss == "auto":
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        if weighted_metrics == "auto":
            weighted_metrics = [keras.metrics.SparseCategoricalAccuracy()]
        super().compile(optimizer=optimizer, loss=loss, weighted_metrics=weighted_metrics, **kwargs)
        self.sampler = samplers_module.get(sampler)
        self.generate_function = None  # A new sampler means a new generation graph.

    def quantize(self, mode=None, config=None, filters=None, **kwargs):
        """`keras.Model.quantize` of the backbone, checked first, and the generation function rebuilt after.

        Every `ReversibleEmbedding` the filters select is checked before any
        layer changes: an unsupported mode raises a ValueError naming the
        layer and leaves the model as it was. For decoding on CPU use
        weight-only int8 (`config=keras.quantizers.Int8QuantizationConfig(
        activation_quantizer=None)`) or `"int4"` (weight-only by default);
        plain `"int8"` also quantizes activations (slower on XLA CPU).
        """
        for layer in self._flatten_layers():
            if isinstance(layer, ReversibleEmbedding) and _selected(layer, filters):
                check_quantization_mode(layer, mode, config)
        # The weights are the backbone's (the LM head is its tied embedding);
        # the preprocessor's tokenizer is a layer that cannot be quantized.
        self.backbone.quantize(mode, config=config, filters=filters, **kwargs)
        self.train_function = self.test_function = self.predict_function = None
        self.generate_function = None  # The variables changed: trace generation again.

    def compile_extras(self):
        """The sampler, saved in `.keras` files with the compile config."""
        return {"sampler": samplers_module.serialize(self.sampler)}

    @property
    def num_generate_compilations(self):
        """How many times the generation function was traced/compiled (JAX); 0 on eager backends."""
        return self._generate_trace_count

    # ------------------------------------------------------------ model side
    def generate_step(self, inputs, stop_token_ids=None, seed=None):
        """Generates into the free positions of `inputs["token_ids"]` (keras.ops only)."""
        token_ids, padding_mask = inputs["token_ids"], inputs["padding_mask"]
        padding_mask = ops.cast(padding_mask, "bool")
        # Decoding starts at the end of the shortest prompt: the cache needs the
        # tokens before it (the sampler's first step rewrites position index - 1).
        index = ops.min(ops.sum(ops.cast(padding_mask, "int32"), axis=-1))
        hidden_states, cache = self.build_cache(token_ids, num_prefill_tokens=index)

        def next(prompt, cache, index):
            cache_update_index = index - 1
            batch_size = ops.shape(prompt)[0]
            prompt = ops.slice(prompt, [0, cache_update_index], [batch_size, 1])
            logits, hidden, cache = self.call_with_cache(prompt, cache, cache_update_index)
            return ops.squeeze(logits, axis=1), ops.squeeze(hidden, axis=1), cache

        token_ids = self.sampler(
            next,
            token_ids,
            cache=cache,
            index=index,
            mask=padding_mask,
            stop_token_ids=stop_token_ids,
            hidden_states=hidden_states,
            model=self,
            seed=seed,
        )
        if stop_token_ids is not None:
            # Keep everything up to and including the first stop token after the prompt.
            end_locations = ops.cast(any_equal(token_ids, stop_token_ids, ops.logical_not(padding_mask)), "int32")
            overflow = ops.cumsum(end_locations, axis=-1) - end_locations
            padding_mask = ops.logical_not(ops.cast(overflow, "bool"))
        else:
            padding_mask = ops.ones_like(token_ids, dtype="bool")
        return {"token_ids": token_ids, "padding_mask": padding_mask}

    def prefill_in_chunks(self, forward, token_ids, cache, num_tokens, hidden_dim):
        """Fills `cache` with the first `num_tokens` tokens, `prefill_chunk_length` at a time.

        Args:
            forward: `forward(chunk_ids, cache, start)` → `(hidden_states,
                cache)`, one cached pass over the chunk at position `start`.
            token_ids: `(batch_size, max_length)` ids.
            cache: the cache to fill, covering `max_length` positions.
            num_tokens: a scalar tensor (may be traced): positions
                `[0, num_tokens)` are filled; later ones may hold keys of
                padding, which decoding overwrites before reading them.
            hidden_dim: width of the hidden states.

        Returns:
            `(hidden_states, cache)`, `hidden_states` of shape
            `(batch_size, max_length, hidden_dim)` (valid before
            `num_tokens`).
        """
        batch_size, max_length = ops.shape(token_ids)[0], ops.shape(token_ids)[1]
        chunk_length = min(self.prefill_chunk_length, max_length)
        hidden_states = ops.zeros((batch_size, max_length, hidden_dim), dtype=self.compute_dtype)

        def cond(start, cache, hidden_states):
            return ops.less(start, num_tokens)

        def body(start, cache, hidden_states):
            # The last chunk may overlap the one before: recomputing a position
            # writes the same keys and values again.
            chunk_start = ops.minimum(start, max_length - chunk_length)
            chunk = ops.slice(token_ids, [0, chunk_start], [batch_size, chunk_length])
            hidden, cache = forward(chunk, cache, chunk_start)
            hidden_states = ops.slice_update(hidden_states, [0, chunk_start, 0], ops.cast(hidden, hidden_states.dtype))
            return start + chunk_length, cache, hidden_states

        start = ops.zeros((), "int32")
        _, cache, hidden_states = ops.while_loop(cond, body, (start, cache, hidden_states))
        return hidden_states, cache

    def make_generate_function(self):
        """Builds (once) the compiled generation function."""
        if self.generate_function is not None:
            return self.generate_function
        backend = keras.config.backend()
        if backend == "jax":
            import jax

            def stateless_generate(state, inputs, seed, stop_token_ids):
                self._generate_trace_count += 1  # Runs only while tracing.
                trainable, non_trainable = state
                mapping = list(zip(self.trainable_variables, trainable)) + list(zip(self.non_trainable_variables, non_trainable))
                with keras.StatelessScope(state_mapping=mapping):
                    return self.generate_step(inputs, stop_token_ids=stop_token_ids, seed=seed)

            compiled = jax.jit(stateless_generate, static_argnames=("stop_token_ids",))

            def generate_function(inputs, stop_token_ids=None, seed=None):
                state = (
                    [v.value for v in self.trainable_variables],
                    [v.value for v in self.non_trainable_variables],
                )
                return compiled(state, inputs, seed, stop_token_ids)

        elif backend == "torch":
            import torch

            def generate_function(inputs, stop_token_ids=None, seed=None):
                with torch.no_grad():
                    return self.generate_step(inputs, stop_token_ids=stop_token_ids, seed=seed)

        else:
            def generate_function(inputs, stop_token_ids=None, seed=None):
                return self.generate_step(inputs, stop_token_ids=stop_token_ids, seed=seed)

        self.generate_function = generate_function
        return generate_function

    # ------------------------------------------------------------- host side
    def generate(self, inputs, max_length=None, stop_token_ids="auto"):
        """Generates text (or ids) continuing `inputs`.

        Args:
            inputs: a string or a list of strings (with a preprocessor), or a
                dict of `token_ids` and `padding_mask` arrays (right-padded).
            max_length: total length (prompt + generated tokens) in tokens.
                Defaults to the preprocessor's `sequence_length`; must not
                exceed the backbone's `max_sequence_length`. Prompts longer
                than `max_length` are truncated to it.
            stop_token_ids: ids that end a row's generation. `"auto"` is the
                tokenizer's end token; `None` generates to `max_length`.

        Returns:
            A string, a list of strings, or (for dict inputs) a dict of
            numpy `token_ids` and `padding_mask`.
        """
        preprocessor = getattr(self, "preprocessor", None)
        limit = self.backbone.max_sequence_length
        if max_length is None:
            max_length = preprocessor.sequence_length if preprocessor is not None else limit
        if isinstance(max_length, bool) or not isinstance(max_length, int) or not 1 < max_length <= limit:
            raise ValueError(
                f"`max_length` must be an integer in [2, {limit}] (the backbone's max_sequence_length). "
                f"Received: max_length={max_length!r}"
            )
        if stop_token_ids == "auto":
            if preprocessor is None:
                raise ValueError("`stop_token_ids='auto'` needs a preprocessor. Pass explicit ids or None.")
            stop_token_ids = [preprocessor.tokenizer.end_token_id]
        stop_token_ids = None if stop_token_ids is None else tuple(int(t) for t in stop_token_ids)

        single = isinstance(inputs, str)
        if isinstance(inputs, dict):
            batch = {k: np.asarray(ops.convert_to_numpy(v)).astype("int32") for k, v in inputs.items()}
            if batch["token_ids"].shape[0] == 0:
                raise ValueError("Received an empty batch: `token_ids` has no rows.")
        else:
            if preprocessor is None:
                raise ValueError("`generate` on strings needs a preprocessor. Pass a dict of token_ids/padding_mask.")
            batch = preprocessor.generate_preprocess(inputs, sequence_length=max_length)
        if not np.asarray(batch["padding_mask"]).any(axis=-1).all():
            raise ValueError("Every prompt needs at least one token (e.g. the start token). Received an empty prompt row.")
        generate_function = self.make_generate_function()
        seed = self.sampler.next_seed()
        outputs = generate_function(batch, stop_token_ids=stop_token_ids, seed=seed)
        outputs = {k: np.asarray(ops.convert_to_numpy(v)) for k, v in outputs.items()}
        if isinstance(inputs, dict):
            return outputs
        texts = preprocessor.generate_postprocess(outputs)
        return texts[0] if single else texts
