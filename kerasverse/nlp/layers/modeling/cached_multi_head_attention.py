"""`CachedMultiHeadAttention`: multi-head attention with a key/value cache."""

import keras
from keras import ops

from kerasverse.nlp.layers.modeling.weight_only import project


@keras.saving.register_keras_serializable(package="kerasverse")
class CachedMultiHeadAttention(keras.layers.MultiHeadAttention):
    """`keras.layers.MultiHeadAttention` with a key/value cache for decoding.

    Takes the constructor arguments of `keras.layers.MultiHeadAttention`.
    The cache is a tensor of shape
    `(batch_size, 2, max_length, num_heads, key_dim)` holding the projected
    keys (`cache[:, 0]`) and values (`cache[:, 1]`).

    - `cache=None`: plain attention; returns the attention output.
    - `cache` and `cache_update_index`: the keys and values of `key`/`value`
      are written into the cache at `cache_update_index`, and attention
      reads the whole cache (mask the positions not written yet with
      `attention_mask`); returns `(attention_output, cache)`.
    - `cache` without `cache_update_index`: attention reads the cache as it
      is (e.g. cross-attention to a fixed encoder output); returns
      `(attention_output, cache)`.

    The cache may also be a pair `(key_cache, value_cache)`, each of shape
    `(batch_size, num_heads, max_length, key_dim)` (heads first; see
    `heads_first_cache`). Attention then reads the cached keys and values
    in place, with no transposes or copies of the whole cache per step: this
    is the layout `CausalLM.generate` uses. The results are the same.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        **kwargs: other `keras.layers.MultiHeadAttention` arguments.

    Example:

    ```python
    import numpy as np
    layer = CachedMultiHeadAttention(num_heads=2, key_dim=4)
    x = np.random.rand(1, 5, 8).astype("float32")
    cache = np.zeros((1, 2, 5, 2, 4), "float32")
    output, cache = layer(x[:, :1], x[:, :1], cache=cache, cache_update_index=0)
    ```
    """

    def call(
        self,
        query,
        value,
        key=None,
        attention_mask=None,
        cache=None,
        cache_update_index=None,
        training=None,
    ):
        if key is None:
            key = value
        query = project(self._query_dense, query)
        if isinstance(cache, (tuple, list)):
            if cache_update_index is not None:
                key, value = project(self._key_dense, key), project(self._value_dense, value)
            return self._call_heads_first(query, key, value, attention_mask, cache, cache_update_index, training)
        if cache is not None:
            key_cache = cache[:, 0, ...]
            value_cache = cache[:, 1, ...]
            if cache_update_index is None:
                key, value = key_cache, value_cache
            else:
                start = [0, cache_update_index, 0, 0]
                key = ops.slice_update(key_cache, start, project(self._key_dense, key))
                value = ops.slice_update(value_cache, start, project(self._value_dense, value))
                cache = ops.stack((key, value), axis=1)
        else:
            if cache_update_index is not None:
                raise ValueError(
                    "`cache_update_index` needs a `cache`. "
                    f"Received: cache=None, cache_update_index={cache_update_index}"
                )
            key = project(self._key_dense, key)
            value = project(self._value_dense, value)
        attention_output, _ = self._compute_attention(
            query=query, key=key, value=value, attention_mask=attention_mask, training=training
        )
        attention_output = project(self._output_dense, attention_output)
        if cache is not None:
            return attention_output, cache
        return attention_output

    def _call_heads_first(self, query, key, value, attention_mask, cache, cache_update_index, training):
        """Attention over a `(key_cache, value_cache)` pair in heads-first layout.

        With `cache_update_index`, the new keys and values are attended to
        as a block of their own next to the cache as it was (whose entries
        at the block's positions are masked out), and written into the cache
        afterwards: the cache's update then stays in place (XLA otherwise
        copies the whole cache for the attention product), and the result
        is the same as attending to the updated cache.
        """
        if len(cache) != 2:
            raise ValueError(
                "A heads-first cache is a pair (key_cache, value_cache). "
                f"Received a {type(cache).__name__} of {len(cache)} items."
            )
        key_cache, value_cache = cache
        # (batch, length, heads, dim) -> (batch, heads, length, dim).
        query = ops.transpose(query, (0, 2, 1, 3))
        query = ops.multiply(query, ops.cast(self._inverse_sqrt_key_dim, query.dtype))
        if attention_mask is not None:
            attention_mask = ops.expand_dims(ops.cast(attention_mask, "bool"), axis=1)
        if cache_update_index is None:
            attention_output = self._attend(query, key_cache, value_cache, attention_mask, training)
            return project(self._output_dense, attention_output), (key_cache, value_cache)

        new_keys = ops.cast(ops.transpose(key, (0, 2, 1, 3)), key_cache.dtype)
        new_values = ops.cast(ops.transpose(value, (0, 2, 1, 3)), value_cache.dtype)
        start = [0, 0, cache_update_index, 0]
        if keras.config.backend() != "jax":
            # Eager backends update the cache in place anyway: write, then attend.
            key_cache = ops.slice_update(key_cache, start, new_keys)
            value_cache = ops.slice_update(value_cache, start, new_values)
            attention_output = self._attend(query, key_cache, value_cache, attention_mask, training)
            return project(self._output_dense, attention_output), (key_cache, value_cache)
        batch_size, num_heads, num_new = ops.shape(query)[0], ops.shape(query)[1], ops.shape(query)[2]
        cache_length = ops.shape(key_cache)[2]
        # Cache entries at the new block's positions are stale: the block replaces them.
        positions = ops.arange(cache_length, dtype="int32")
        outside_block = ops.logical_or(
            ops.less(positions, cache_update_index), ops.greater_equal(positions, cache_update_index + num_new)
        )
        cache_mask = ops.reshape(outside_block, (1, 1, 1, cache_length))
        block_mask = ops.ones((1, 1, num_new, num_new), dtype="bool")
        if attention_mask is not None:
            cache_mask = ops.logical_and(attention_mask, cache_mask)
            block_mask = ops.slice(attention_mask, [0, 0, 0, cache_update_index], [ops.shape(attention_mask)[0], 1, num_new, num_new])
        cache_mask = ops.broadcast_to(cache_mask, (batch_size, num_heads, num_new, cache_length))
        block_mask = ops.broadcast_to(block_mask, (batch_size, num_heads, num_new, num_new))
        scores = ops.concatenate(
            [ops.einsum("bhtd,bhsd->bhts", query, key_cache), ops.einsum("bhtd,bhsd->bhts", query, new_keys)], axis=-1
        )
        probabilities = self._attention_probabilities(scores, ops.concatenate([cache_mask, block_mask], axis=-1), training)
        from_cache = ops.einsum("bhts,bhsd->bthd", probabilities[..., :cache_length], value_cache)
        attention_output = from_cache + ops.einsum("bhts,bhsd->bthd", probabilities[..., cache_length:], new_values)
        # `order` is zero (it is NaN only where the output already is). It
        # makes the cache writes depend on the products that read the old
        # cache, so XLA updates both caches in place; without the dependency
        # it copies each of them twice per step (1.4 ms per GPT-2 124M token).
        order = ops.multiply(ops.slice(from_cache, [0, 0, 0, 0], [1, 1, 1, 1]), 0)
        order = ops.cast(ops.reshape(order, (1, 1, 1, 1)), new_keys.dtype)
        key_cache = ops.slice_update(key_cache, start, new_keys + order)
        value_cache = ops.slice_update(value_cache, start, new_values + order)
        return project(self._output_dense, attention_output), (key_cache, value_cache)

    def _attend(self, query, key_cache, value_cache, mask, training):
        """Heads-first attention over whole caches; returns `(batch, length, heads, dim)`."""
        scores = ops.einsum("bhtd,bhsd->bhts", query, key_cache)
        probabilities = self._attention_probabilities(scores, mask, training)
        return ops.einsum("bhts,bhsd->bthd", probabilities, value_cache)

    def _attention_probabilities(self, scores, mask, training):
        probabilities = self._softmax(scores, mask=mask)
        if self._dropout > 0.0:
            probabilities = self._dropout_layer(probabilities, training=training)
        return probabilities

    def compute_output_spec(self, query, value, key=None, attention_mask=None, cache=None, cache_update_index=None, training=None):
        output_shape = tuple(query.shape[:-1]) + (self._output_shape or query.shape[-1],)
        if isinstance(self._output_shape, (tuple, list)):
            output_shape = tuple(query.shape[:-1]) + tuple(self._output_shape)
        output = keras.KerasTensor(output_shape, dtype=self.compute_dtype)
        if isinstance(cache, (tuple, list)):
            return output, tuple(keras.KerasTensor(c.shape, dtype=self.compute_dtype) for c in cache)
        if cache is not None:
            return output, keras.KerasTensor(cache.shape, dtype=self.compute_dtype)
        return output


def heads_first_cache(cache):
    """Converts a `(batch, 2, max_length, num_heads, key_dim)` cache to a heads-first pair.

    Returns `(key_cache, value_cache)`, each `(batch, num_heads, max_length,
    key_dim)`, the layout `CachedMultiHeadAttention` reads without copies.
    """
    return ops.transpose(cache[:, 0], (0, 2, 1, 3)), ops.transpose(cache[:, 1], (0, 2, 1, 3))


def stacked_cache(key_cache, value_cache):
    """The inverse of `heads_first_cache`: a `(batch, 2, max_length, num_heads, key_dim)` tensor."""
    return ops.stack((ops.transpose(key_cache, (0, 2, 1, 3)), ops.transpose(value_cache, (0, 2, 1, 3))), axis=1)
