"""Mask computations (keras.ops only: they run inside the jitted train step)."""

import math

from keras import ops


def magnitude_mask(weight, sparsity):
    """Mask keeping the largest-magnitude `1 - sparsity` fraction of `weight`.

    Args:
        weight: a float tensor (already masked, so pruned weights stay pruned).
        sparsity: a float scalar tensor in [0, 1).

    Returns:
        A float tensor of 0s and 1s shaped like `weight`.
    """
    magnitudes = ops.reshape(ops.abs(weight), (-1,))
    size = int(magnitudes.shape[0])
    sorted_magnitudes = ops.sort(magnitudes)
    num_pruned = ops.cast(ops.round(ops.cast(sparsity, "float32") * size), "int32")
    index = ops.clip(num_pruned - 1, 0, size - 1)
    threshold = ops.take(sorted_magnitudes, index)
    keep = ops.logical_or(ops.greater(ops.abs(weight), threshold), ops.equal(num_pruned, 0))
    return ops.cast(keep, weight.dtype)


def block_magnitude_mask(weight, sparsity, block_size):
    """Like `magnitude_mask` but keeps or prunes whole `block_size` blocks.

    The weight is seen as a matrix (all leading axes flattened, last axis
    kept); each block's score is its mean absolute value.
    """
    block_rows, block_cols = block_size
    shape = tuple(weight.shape)
    rows = math.prod(shape[:-1])
    cols = shape[-1]
    matrix = ops.reshape(ops.abs(weight), (rows, cols))
    padded_rows = -(-rows // block_rows) * block_rows
    padded_cols = -(-cols // block_cols) * block_cols
    matrix = ops.pad(matrix, ((0, padded_rows - rows), (0, padded_cols - cols)))
    blocks = ops.reshape(
        matrix, (padded_rows // block_rows, block_rows, padded_cols // block_cols, block_cols)
    )
    scores = ops.mean(blocks, axis=(1, 3))
    block_mask = magnitude_mask(scores, sparsity)
    mask = ops.repeat(ops.repeat(block_mask, block_rows, axis=0), block_cols, axis=1)
    mask = mask[:rows, :cols]
    return ops.reshape(mask, shape)


def m_by_n_mask(weight, m, n):
    """Mask keeping the `m` largest of every `n` consecutive input-axis weights.

    The groups of `n` run along the input-channel axis (the second to last
    axis of a kernel; the only axis of a vector), as sparse tensor cores
    expect for 2:4 sparsity. Like tfmot, an input-channel size that is not a
    multiple of `n` is padded with zeros, so the last, partial group keeps
    its `m` largest real weights (a 1-channel input conv stays dense).
    """
    shape = tuple(weight.shape)
    axis = len(shape) - 2 if len(shape) >= 2 else 0
    moved = ops.moveaxis(ops.abs(weight), axis, -1)
    moved_shape = tuple(moved.shape)
    pad = -moved_shape[-1] % n
    if pad:
        moved = ops.pad(moved, [(0, 0)] * (len(moved_shape) - 1) + [(0, pad)])
    padded_shape = tuple(moved.shape)
    groups = ops.reshape(moved, (-1, n))
    # Rank of each element inside its group (0 = largest); keep ranks < m.
    order = ops.argsort(-groups, axis=-1)
    ranks = ops.argsort(order, axis=-1)
    keep = ops.cast(ops.less(ranks, m), weight.dtype)
    keep = ops.reshape(keep, padded_shape)[..., : moved_shape[-1]]
    return ops.moveaxis(keep, -1, axis)
