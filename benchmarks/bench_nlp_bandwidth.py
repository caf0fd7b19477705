"""The fp32 ceiling of GPT-2 124M decoding on this machine (JAX, XLA CPU).

Decoding one token reads every weight once, through matrix-vector products.
This script times such products on JAX over 200 MB of distinct fp32 weights
(more than the CPU caches hold), in GPT-2's own shapes, and turns the
bandwidth into the new-tokens-per-second limit for GPT-2 124M's 497 MB of
fp32 weights. `bench_nlp_models.py` measures what kerasverse and keras-hub
reach against it. No peer: it measures the machine.

Run: `.venv/bin/python benchmarks/bench_nlp_bandwidth.py`.
"""

import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

GPT2_WEIGHT_BYTES = 124_439_808 * 4  # GPT-2 124M parameters in fp32.
# QKV, attention output, MLP in, MLP out (12 layers each), tied head (once).
SHAPES = [(768, 2304), (768, 768), (768, 3072), (3072, 768), (50257, 768)]
COUNTS = [12, 12, 12, 12, 1]


def bandwidth(shape, total_bytes=200e6, repeat=5):
    import jax
    import jax.numpy as jnp
    import numpy as np

    count = max(1, int(total_bytes // (shape[0] * shape[1] * 4)))
    rng = np.random.default_rng(0)
    weights = [jnp.asarray(rng.standard_normal(shape, dtype="float32")) for _ in range(count)]
    head = shape == (50257, 768)  # The tied head contracts the embedding's last axis.

    @jax.jit
    def chain(x, weights):
        total = 0.0
        for w in weights:
            y = w @ x[0] if head else x[0] @ w
            total = total + y[0]
            x = x + total * 1e-9  # A data dependence: the products run one after another.
        return total

    x = jnp.ones((1, shape[1] if head else shape[0]), "float32")
    jax.block_until_ready(chain(x, weights))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        jax.block_until_ready(chain(x, weights))
        times.append(time.perf_counter() - start)
    return count * shape[0] * shape[1] * 4 / sorted(times)[len(times) // 2] / 1e9


def main():
    rates = [bandwidth(shape) for shape in SHAPES]
    print("fp32 matrix-vector bandwidth, JAX on XLA CPU, weights beyond the caches (median of 5)")
    print("| weight shape | per token in GPT-2 124M | GB/s  | ms per token |")
    print("|--------------|-------------------------|-------|--------------|")
    total_ms = 0.0
    for (rows, cols), count, gbps in zip(SHAPES, COUNTS, rates):
        ms = count * rows * cols * 4 / (gbps * 1e9) * 1e3
        total_ms += ms
        print(f"| {rows}x{cols:<7d} | x{count:<22d} | {gbps:5.1f} | {ms:12.2f} |")
    best = max(rates)
    print(f"products alone: {total_ms:.1f} ms per token = at most {1e3 / total_ms:.1f} new tokens/s at these rates; "
          f"at the best rate ({best:.1f} GB/s) for all 497 MB: {best * 1e9 / GPT2_WEIGHT_BYTES:.1f} new tokens/s")


if __name__ == "__main__":
    main()
