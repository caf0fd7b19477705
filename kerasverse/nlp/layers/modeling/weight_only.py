"""Weight-only int8 projections that stream int8 weights on XLA CPU.

Keras' weight-only int8 (`keras.quantizers.Int8QuantizationConfig(
activation_quantizer=None)`) computes `einsum(inputs, int8_kernel) / scale`.
On JAX the int8 kernel is converted to float32 as a fusion of its own: XLA
CPU does not fuse the conversion into its matrix products, so each call reads
1 byte, writes 4 and reads 4 per weight — decoding (one matrix-vector
product per weight and token, memory-bandwidth bound) gets about 2x *slower*
than float32, and Keras' default int8 mode (int8 activations, int8 x int8
dot) is slower still on CPU.

For decoding (up to `int8_kernels.MAX_ROWS` activation rows, float32, on
CPU) `project` calls the C++ kernel in `int8_kernels`, which reads each int8
weight once and widens it in registers; in Keras' default int8 mode the
inputs are first quantized as Keras does and their int8 values go to the
same kernel. Longer weight-only inputs take a loop over blocks of kernel
rows: each block is converted into a buffer that stays in the CPU cache and
multiplied there, so memory traffic is the int8 bytes; longer default-int8
inputs take the layer's own call. It handles `Dense`/`EinsumDense` on JAX;
every other case (float layers, int4, LoRA, torch) is the layer's own call.
The result equals the layer's own call up to float32 summation order.
"""

import keras
from keras import ops

from kerasverse.nlp.layers.modeling import int8_kernels

# Kernel rows per loop step (at most): 256 x 3072 float32 is 3 MB (L3 resident).
BLOCK_ROWS = 256
# Vocabulary rows per loop step of a tied int8 embedding's reverse projection.
REVERSE_BLOCK_ROWS = 1024


def _int8_layer(layer):
    return (
        keras.config.backend() == "jax"
        and getattr(layer, "quantization_mode", None) == "int8"
        and hasattr(layer, "inputs_quantizer")
        and not getattr(layer, "lora_enabled", False)
    )


def quantized_rows(quantizer, x):
    """Keras' int8 input quantization of `x` (M, K) per row, as float32 with a straight-through gradient.

    Returns `(q, scale)`: `q` holds the int8 values (as float32) in the
    forward pass and `x * scale` in the backward pass, `scale` is (M, 1)
    and carries no gradient, so `(q @ w) / scale` differentiates like Keras'
    own int8 layers (the gradient of the float product).
    """
    q, scale = quantizer(x, axis=-1)
    scale = ops.stop_gradient(ops.cast(scale, x.dtype))
    scaled = ops.multiply(x, scale)
    return ops.add(scaled, ops.stop_gradient(ops.subtract(ops.cast(q, x.dtype), scaled))), scale


def _row_block(rows):
    """The largest divisor of `rows` that is <= BLOCK_ROWS and >= 8, else None."""
    for block in range(min(BLOCK_ROWS, rows), 7, -1):
        if rows % block == 0:
            return block
    return None


def blocked_matmul(x, kernel, dtype):
    """`x @ cast(kernel, dtype)` for a 2-D int8 `kernel` (K, N), K in row blocks.

    Few float32 rows go to the CPU kernel (`int8_kernels.matmul`). Returns
    None when K has no usable block size (the caller falls back).
    """
    if int8_kernels.usable(x, kernel):
        return int8_kernels.matmul(x, kernel)
    rows, columns = kernel.shape
    block = _row_block(rows)
    if block is None or block == rows:
        return None
    batch = ops.shape(x)[0]

    def body(i, accumulator):
        start = i * block
        x_block = ops.slice(x, [0, start], [batch, block])
        kernel_block = ops.cast(ops.slice(kernel, [start, 0], [block, columns]), dtype)
        return accumulator + ops.matmul(x_block, kernel_block)

    return ops.fori_loop(0, rows // block, body, ops.zeros((batch, columns), dtype))


def blocked_matmul_transposed(x, kernel, dtype):
    """`x @ transpose(cast(kernel, dtype))` for an int8 `kernel` (N, K), N in row blocks.

    For a tied embedding (vocabulary, width): each step converts a block of
    vocabulary rows and writes its logits; a last partial block is done
    outside the loop. Few float32 rows go to the CPU kernel
    (`int8_kernels.matmul_transposed`).
    """
    if int8_kernels.usable(x, kernel):
        return int8_kernels.matmul_transposed(x, kernel)
    rows, width = kernel.shape
    block = min(REVERSE_BLOCK_ROWS, rows)
    num_full = rows // block
    batch = ops.shape(x)[0]

    def logits_of(kernel_rows):
        return ops.tensordot(x, ops.cast(kernel_rows, dtype), axes=[[1], [1]])

    def body(i, logits):
        start = i * block
        return ops.slice_update(logits, [0, start], logits_of(ops.slice(kernel, [start, 0], [block, width])))

    logits = ops.fori_loop(0, num_full, body, ops.zeros((batch, rows), dtype))
    if rows > num_full * block:
        tail = logits_of(kernel[num_full * block:])
        logits = ops.slice_update(logits, [0, num_full * block], tail)
    return logits


def _einsum_as_matmul(equation, input_rank, kernel_shape):
    """For `...c,c...->......` equations: (number of contracted axes, output order ok)."""
    inputs_and_kernel, output = equation.split("->")
    input_spec, kernel_spec = inputs_and_kernel.split(",")
    contracted = [c for c in kernel_spec if c in input_spec and c not in output]
    n = len(contracted)
    if (
        n == 0
        or "." in equation
        or len(input_spec) != input_rank
        or len(kernel_spec) != len(kernel_shape)
        or kernel_spec[:n] != "".join(contracted)
        or input_spec[-n:] != "".join(contracted)
        or output != input_spec[:-n] + kernel_spec[n:]
    ):
        return None
    return n


def project(layer, inputs):
    """`layer(inputs)`, with int8 `Dense`/`EinsumDense` kernels read as int8 on JAX CPU.

    Weight-only int8 layers always take this path (the CPU kernel for few
    rows, else blocks). Layers in Keras' default int8 mode (int8 inputs too)
    take it for few rows: the inputs are quantized exactly as Keras does
    (per row, over the contracted axes) and their int8 values multiplied by
    the kernel; longer inputs use the layer's own int8 x int8 product.
    """
    if not _int8_layer(layer):
        return layer(inputs)
    kernel = layer._kernel
    dtype = layer.compute_dtype
    inputs = ops.cast(inputs, dtype)
    if isinstance(layer, keras.layers.EinsumDense):
        n = _einsum_as_matmul(layer.equation, len(inputs.shape), tuple(kernel.shape))
        if n is None:
            return layer(inputs)
    elif isinstance(layer, keras.layers.Dense):
        n = 1
    else:
        return layer(inputs)
    contracted = 1
    for size in kernel.shape[:n]:
        contracted *= size
    free_shape = tuple(kernel.shape[n:])
    columns = 1
    for size in free_shape:
        columns *= size
    leading = ops.shape(inputs)[: len(inputs.shape) - n]
    x = ops.reshape(inputs, (-1, contracted))
    weights = ops.reshape(kernel.value, (contracted, columns))
    if layer.inputs_quantizer is not None:
        if not int8_kernels.usable(x, weights):
            return layer(inputs)
        q, scale = quantized_rows(layer.inputs_quantizer, x)
        y = ops.divide(int8_kernels.matmul(q, weights), scale)
    else:
        y = blocked_matmul(x, weights, dtype)
    if y is None:
        return layer(inputs)
    y = ops.reshape(y, tuple(leading) + free_shape)
    y = ops.divide(y, ops.cast(layer.kernel_scale, dtype))
    if layer.bias is not None:
        y = ops.add(y, layer.bias)
    if layer.activation is not None:
        y = layer.activation(y)
    return y
