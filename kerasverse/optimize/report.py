"""`summary(model)`: per-layer sparsity, unique values, raw and gzipped bytes."""

import dataclasses
import gzip

import keras
import numpy as np


@dataclasses.dataclass
class LayerReport:
    """What one layer's weights cost.

    Attributes:
        name: layer name.
        class_name: layer class (the wrapped class for optimize wrappers).
        params: number of weight values.
        sparsity: fraction of zeros in the kernels (weights of rank >= 2), or
            None when the layer has none.
        unique_values: distinct values in the kernels, or None.
        raw_bytes: bytes of all weights in their stored dtype.
        gzip_bytes: bytes of all weights after gzip (level 9).
    """

    name: str
    class_name: str
    params: int
    sparsity: float | None
    unique_values: int | None
    raw_bytes: int
    gzip_bytes: int


@dataclasses.dataclass
class OptimizationSummary:
    """The result of `summary(model)`: `layers` plus model totals.

    `str(summary)` is a table. `total_gzip_bytes` compresses all weights in
    one stream (like a gzipped weight file), so it is less than the sum of
    the per-layer figures.
    """

    model_name: str
    layers: list
    total_params: int
    total_raw_bytes: int
    total_gzip_bytes: int
    total_sparsity: float | None

    def to_dict(self):
        return dataclasses.asdict(self)

    def __str__(self):
        columns = ["layer", "class", "params", "sparsity", "unique", "raw bytes", "gzip bytes"]
        rows = [
            [
                row.name,
                row.class_name,
                str(row.params),
                _percent(row.sparsity),
                "-" if row.unique_values is None else str(row.unique_values),
                str(row.raw_bytes),
                str(row.gzip_bytes),
            ]
            for row in self.layers
        ]
        rows.append(
            [
                "TOTAL",
                "",
                str(self.total_params),
                _percent(self.total_sparsity),
                "",
                str(self.total_raw_bytes),
                str(self.total_gzip_bytes),
            ]
        )
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
        lines = [f"Model '{self.model_name}'"]
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths)) + " |")
        lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        lines += ["| " + " | ".join(v.ljust(w) for v, w in zip(r, widths)) + " |" for r in rows]
        return "\n".join(lines)


def _percent(value):
    return "-" if value is None else f"{100 * value:.1f}%"


def _gzip_size(arrays):
    payload = b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)
    return len(gzip.compress(payload, compresslevel=9, mtime=0)) if payload else 0


def _effective_weights(layer):
    """(class name, weights as they will be exported) of one layer."""
    effective = getattr(layer, "effective_weights", None)
    if callable(effective):
        return type(layer.layer).__name__, [np.asarray(w) for w in effective()]
    return type(layer).__name__, [np.asarray(keras.ops.convert_to_numpy(w)) for w in layer.weights]


def summary(model):
    """Reports what each layer's weights cost, to see what optimization bought.

    For layers wrapped by `kerasverse.optimize` (pruning, clustering,
    quantization) the weights are counted as `strip_*` will export them
    (masked, clustered, fake-quantized) and the bookkeeping variables (masks,
    indices, ranges) are left out. Keras' post-training quantized layers
    (`model.quantize("int8")`) are counted in their stored dtypes.

    Args:
        model: a built Keras model (or a path to a `.keras` file).

    Returns:
        An `OptimizationSummary`; print it for a table.

    Example:

    >>> import keras
    >>> from kerasverse import optimize
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> report = optimize.summary(model)
    >>> report.total_params, report.total_raw_bytes
    (10, 40)
    """
    if isinstance(model, str):
        model = keras.saving.load_model(model)
    if not isinstance(model, keras.Model):
        raise ValueError(
            f"`summary` expects a Keras model or a .keras path. Received: {type(model).__name__}."
        )
    if not model.built:
        raise ValueError(
            f"`summary` needs a built model. Received model '{model.name}' that is not built; "
            "call it on data or give it an `Input` first."
        )
    rows, all_arrays, kernel_zeros, kernel_size = [], [], 0, 0
    for layer in model.layers:
        class_name, arrays = _effective_weights(layer)
        if not arrays:
            continue
        kernels = [a for a in arrays if a.ndim >= 2]
        zeros = sum(int(np.sum(k == 0)) for k in kernels)
        size = sum(k.size for k in kernels)
        kernel_zeros += zeros
        kernel_size += size
        rows.append(
            LayerReport(
                name=layer.name,
                class_name=class_name,
                params=int(sum(a.size for a in arrays)),
                sparsity=zeros / size if size else None,
                unique_values=int(np.unique(np.concatenate([k.ravel() for k in kernels])).size)
                if kernels
                else None,
                raw_bytes=int(sum(a.nbytes for a in arrays)),
                gzip_bytes=_gzip_size(arrays),
            )
        )
        all_arrays += arrays
    return OptimizationSummary(
        model_name=model.name,
        layers=rows,
        total_params=sum(r.params for r in rows),
        total_raw_bytes=sum(r.raw_bytes for r in rows),
        total_gzip_bytes=_gzip_size(all_arrays),
        total_sparsity=kernel_zeros / kernel_size if kernel_size else None,
    )
