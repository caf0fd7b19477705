"""`CachedMultiHeadAttention`: multi-head attention with a key/value cache."""

import keras
from keras import ops


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
        query = self._query_dense(query)
        if cache is not None:
            key_cache = cache[:, 0, ...]
            value_cache = cache[:, 1, ...]
            if cache_update_index is None:
                key, value = key_cache, value_cache
            else:
                start = [0, cache_update_index, 0, 0]
                key = ops.slice_update(key_cache, start, self._key_dense(key))
                value = ops.slice_update(value_cache, start, self._value_dense(value))
                cache = ops.stack((key, value), axis=1)
        else:
            if cache_update_index is not None:
                raise ValueError(
                    "`cache_update_index` needs a `cache`. "
                    f"Received: cache=None, cache_update_index={cache_update_index}"
                )
            key = self._key_dense(key)
            value = self._value_dense(value)
        attention_output, _ = self._compute_attention(
            query=query, key=key, value=value, attention_mask=attention_mask, training=training
        )
        attention_output = self._output_dense(attention_output)
        if cache is not None:
            return attention_output, cache
        return attention_output

    def compute_output_spec(self, query, value, key=None, attention_mask=None, cache=None, cache_update_index=None, training=None):
        output_shape = tuple(query.shape[:-1]) + (self._output_shape or query.shape[-1],)
        if isinstance(self._output_shape, (tuple, list)):
            output_shape = tuple(query.shape[:-1]) + tuple(self._output_shape)
        output = keras.KerasTensor(output_shape, dtype=self.compute_dtype)
        if cache is not None:
            return output, keras.KerasTensor(cache.shape, dtype=self.compute_dtype)
        return output
