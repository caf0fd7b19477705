"""`GPT2CausalLM`: GPT-2 with its language-model head and cached generation."""

import keras
from keras import ops

from kerasverse.nlp.layers.modeling.cached_multi_head_attention import heads_first_cache
from kerasverse.nlp.layers.modeling.cached_multi_head_attention import stacked_cache
from kerasverse.nlp.models.causal_lm import CausalLM
from kerasverse.nlp.models.gpt2.gpt2_backbone import GPT2Backbone
from kerasverse.nlp.models.gpt2.gpt2_causal_lm_preprocessor import (
    GPT2CausalLMPreprocessor,
)


@keras.saving.register_keras_serializable(package="kerasverse")
class GPT2CausalLM(CausalLM):
    """GPT-2 for next-token prediction and text generation.

    The logits come from the backbone's hidden states times the transposed
    token embedding (tied weights). `generate(prompts, max_length)` fills a
    key/value cache (one heads-first pair per layer, see `build_cache`) from
    the prompt in chunks, then decodes one token per step with the sampler
    set by `compile(sampler=...)` (greedy by default); on JAX the whole
    generation is one compiled function, reused across calls.

    Args:
        backbone: a `GPT2Backbone`.
        preprocessor: a `GPT2CausalLMPreprocessor` or None.
        **kwargs: `keras.Model` arguments.

    Example:

    ```python
    causal_lm = GPT2CausalLM.from_preset("path/to/gpt2")
    causal_lm.compile(sampler="top_k")
    causal_lm.generate("The weather today", max_length=30)
    ```
    """

    backbone_cls = GPT2Backbone
    preprocessor_cls = GPT2CausalLMPreprocessor

    def __init__(self, backbone, preprocessor=None, **kwargs):
        self.backbone = backbone
        self.preprocessor = preprocessor
        inputs = backbone.input
        hidden_states = backbone(inputs)
        outputs = backbone.token_embedding(hidden_states, reverse=True)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.compile()

    def _hidden_with_cache(self, token_ids, cache, cache_update_index):
        """Hidden states and the updated cache; `cache` is per layer `(key_cache, value_cache)` pairs."""
        backbone = self.backbone
        tokens = backbone.token_embedding(token_ids)
        positions = backbone.position_embedding(tokens, start_index=cache_update_index)
        x = backbone.embeddings_dropout(backbone.embeddings_add((tokens, positions)))
        caches = []
        for layer, layer_cache in zip(backbone.transformer_layers, cache):
            x, layer_cache = layer(
                x, self_attention_cache=layer_cache, self_attention_cache_update_index=cache_update_index
            )
            caches.append(layer_cache)
        return backbone.layer_norm(x), tuple(caches)

    def call_with_cache(self, token_ids, cache, cache_update_index):
        """One forward pass that reads and updates the KV cache.

        Args:
            token_ids: `(batch_size, length)` ids at positions
                `cache_update_index ...`.
            cache: either keras_hub's layout, one tensor of shape
                `(batch_size, num_layers, 2, max_length, num_heads,
                head_dim)`, or the layout `build_cache` returns: one
                `(key_cache, value_cache)` pair per layer, each
                `(batch_size, num_heads, max_length, head_dim)`. The updated
                cache comes back in the layout it was given.
            cache_update_index: position of `token_ids[:, 0]`.

        Returns:
            `(logits, hidden_states, cache)`.
        """
        stacked = not isinstance(cache, (tuple, list))
        if stacked:
            cache = tuple(heads_first_cache(cache[:, i]) for i in range(self.backbone.num_layers))
        hidden_states, cache = self._hidden_with_cache(token_ids, cache, cache_update_index)
        if stacked:
            cache = ops.stack([stacked_cache(*layer_cache) for layer_cache in cache], axis=1)
        logits = self.backbone.token_embedding(hidden_states, reverse=True)
        return logits, hidden_states, cache

    def build_cache(self, token_ids, num_prefill_tokens=None):
        """An empty cache for `token_ids`, filled with the keys and values of the prompt.

        The cache is a tuple with one `(key_cache, value_cache)` pair per
        layer, each of shape `(batch_size, num_heads, max_length, head_dim)`:
        decoding updates each in place and attention reads it without copies.

        Args:
            token_ids: `(batch_size, max_length)` ids; the cache covers
                `max_length` positions.
            num_prefill_tokens: fill only positions before it (a scalar,
                may be a traced tensor), in chunks of `prefill_chunk_length`;
                None fills all positions in one pass.

        Returns:
            `(hidden_states, cache)`.
        """
        backbone = self.backbone
        batch_size, max_length = ops.shape(token_ids)[0], ops.shape(token_ids)[1]
        head_dim = backbone.hidden_dim // backbone.num_heads
        shape = (batch_size, backbone.num_heads, max_length, head_dim)
        cache = tuple(
            (ops.zeros(shape, dtype=self.compute_dtype), ops.zeros(shape, dtype=self.compute_dtype))
            for _ in range(backbone.num_layers)
        )
        if num_prefill_tokens is None:
            return self._hidden_with_cache(token_ids, cache, 0)
        return self.prefill_in_chunks(self._hidden_with_cache, token_ids, cache, num_prefill_tokens, backbone.hidden_dim)
