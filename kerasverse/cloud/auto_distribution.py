"""What `distribution_strategy="auto"` does inside each process of a job.

`AutoDistribution.install()` makes an unchanged Keras script synchronous
data-parallel:

- **JAX**: `keras.distribution.initialize(...)` (which starts
  `jax.distributed` and agrees a seed) and Keras' own
  `keras.distribution.DataParallel(auto_shard_dataset=False)`; each process
  feeds its block of every global batch and Keras assembles the global
  arrays, so gradients, metrics and BatchNorm statistics are global.
- **PyTorch** (Keras' torch backend has no distribution API): the process
  group Ray Train started (gloo on CPU, NCCL on GPU); parameters are
  broadcast from the chief before the first step and the optimizer
  all-reduces gradients (weighted by each process' rows) before applying
  them; metric states are summed across processes when Keras reads them, and
  non-trainable float weights (BatchNorm statistics) are averaged each epoch.

In both cases `Model.fit`/`evaluate`/`predict` wrap numpy and `PyDataset`
inputs in a `ShardedDataset`, `predict` gathers every process' outputs so
that each process (the chief included) returns the whole, ordered result
(JAX: each global batch's output array gathered across processes; torch:
the per-batch outputs gathered once at the end), non-chief processes train
silently, and `save`,
`save_weights`, `CSVLogger` and `TensorBoard` write to a scratch directory
on every process but the chief (on JAX saving is collective, so every process
must still take part).
"""

from __future__ import annotations

import functools
import inspect
import os
import tempfile
import warnings
import zlib
from typing import Any

import keras
import numpy as np
from keras import tree

from kerasverse.cloud import fault_tolerance
from kerasverse.cloud.sharding import ShardedDataset
from kerasverse.cloud.sharding import is_array_structure

_DEFAULT_BATCH_SIZE = 32


class _EpochSetter(keras.callbacks.Callback):
    """Tells the sharded datasets which epoch starts (their shuffling order)."""

    def __init__(self, datasets):
        super().__init__()
        self.datasets = datasets

    def on_epoch_begin(self, epoch, logs=None):
        for dataset in self.datasets:
            dataset.set_epoch(epoch)


class _AverageNonTrainable(keras.callbacks.Callback):
    """torch: averages float non-trainable weights (BatchNorm statistics) each epoch."""

    def on_epoch_end(self, epoch, logs=None):
        import torch
        import torch.distributed as dist

        variables = [
            v for v in self.model.non_trainable_variables if "float" in str(v.dtype)
        ]
        if not variables:
            return
        with torch.no_grad():
            flat = torch.cat([v.value.reshape(-1).double() for v in variables])
            dist.all_reduce(flat)
            flat /= dist.get_world_size()
            offset = 0
            for v in variables:
                size = v.value.numel()
                v.value.copy_(flat[offset : offset + size].reshape(v.value.shape))
                offset += size


def _torch_all_reduce_gradients(optimizer, model):
    """Wraps `optimizer.apply` so that it applies the group's mean gradient."""
    if getattr(optimizer, "_kerasverse_all_reduce", False):
        return
    import torch
    import torch.distributed as dist

    original_apply = optimizer.apply

    @functools.wraps(original_apply)
    def apply(grads, trainable_variables=None):
        rows = float(getattr(model, "_kerasverse_local_rows", 1))
        grads = list(grads)
        variables = trainable_variables if trainable_variables is not None else model.trainable_variables
        # One collective per step, in the gradients' own dtype: [g * rows..., rows].
        dtype = variables[0].value.dtype if variables else torch.float32
        parts = []
        for grad, variable in zip(grads, variables):
            if grad is None:
                grad = torch.zeros_like(variable.value)
            parts.append(grad.reshape(-1).to(dtype) * rows)
        parts.append(torch.tensor([rows], dtype=dtype, device=parts[0].device))
        flat = torch.cat(parts)
        dist.all_reduce(flat)
        flat = flat[:-1] / flat[-1]
        reduced, offset = [], 0
        for variable in variables:
            size = variable.value.numel()
            reduced.append(
                flat[offset : offset + size].reshape(variable.value.shape).to(variable.value.dtype)
            )
            offset += size
        return original_apply(reduced, trainable_variables)

    optimizer.apply = apply
    optimizer._kerasverse_all_reduce = True


def _torch_sync_variables(model):
    """torch: every process takes the chief's variables (once per model)."""
    if getattr(model, "_kerasverse_synced", False):
        return
    import torch
    import torch.distributed as dist

    with torch.no_grad():
        for variable in model.variables:
            dist.broadcast(variable.value.data, src=0)
    model._kerasverse_synced = True


class _CollectOutputs(keras.callbacks.Callback):
    """Keeps each predict batch's outputs (as numpy), in order."""

    def __init__(self):
        super().__init__()
        self.batches = []

    def on_predict_batch_end(self, batch, logs=None):
        outputs = (logs or {})["outputs"]
        self.batches.append(tree.map_structure(keras.ops.convert_to_numpy, outputs))


def _concatenate(batches):
    return tree.map_structure(lambda *parts: np.concatenate(parts), *batches)


def _jax_gather_outputs(function):
    """Wraps a JAX predict function so that each batch's output comes back whole.

    Under `DataParallel` the output of a step is one global array whose rows
    live on the processes that fed them; `process_allgather` hands every
    process the whole array, in the global batch's row order.
    """
    from jax.experimental import multihost_utils

    @functools.wraps(function)
    def gathered(state, iterator):
        outputs, state = function(state, iterator)
        return multihost_utils.process_allgather(outputs, tiled=True), state

    gathered._kerasverse_gathered = True
    return gathered


def _torch_install_on_model(model):
    """Per-model torch hooks: first-step broadcast, row count, metric all-reduce."""
    if getattr(model, "_kerasverse_ddp", False):
        return
    import torch
    import torch.distributed as dist
    from keras import tree

    original_train_step = model.train_step

    def train_step(data):
        _torch_sync_variables(model)
        leaves = [leaf for leaf in tree.flatten(data) if leaf is not None]
        model._kerasverse_local_rows = int(leaves[0].shape[0]) if leaves else 1
        _torch_all_reduce_gradients(model.optimizer, model)
        return original_train_step(data)

    original_results = model._get_metrics_result_or_logs

    def get_metrics_result_or_logs(logs):
        variables = [v for metric in model.metrics for v in metric.variables]
        if variables:
            with torch.no_grad():
                flat = torch.cat([v.value.reshape(-1).double() for v in variables])
                dist.all_reduce(flat)
                offset = 0
                for v in variables:
                    size = v.value.numel()
                    v.value.copy_(flat[offset : offset + size].reshape(v.value.shape))
                    offset += size
        return original_results(logs)

    model.train_step = train_step
    model._get_metrics_result_or_logs = get_metrics_result_or_logs
    model._kerasverse_ddp = True


class _WeightsAgree(keras.callbacks.Callback):
    """JAX: checks once per `fit`, in one collective, that every process holds the same weights.

    Replicated variables are created without JAX's per-array check (see
    `_replicated_distribute_tensor`); this restores its guarantee — a script
    whose processes initialise different weights fails with a clear error —
    at the cost of one small all-gather instead of one per variable.
    """

    def on_train_begin(self, logs=None):
        from jax.experimental import multihost_utils

        digests = []
        for variable in self.model.weights:
            value = variable.value
            if hasattr(value, "addressable_data"):
                value = value.addressable_data(0)
            digests.append(zlib.crc32(np.ascontiguousarray(np.asarray(value)).tobytes()))
        # int32 (JAX without x64 would narrow anything wider and compare it inexactly).
        multihost_utils.assert_equal(
            np.asarray(digests, dtype="uint32").view("int32"),
            fail_message=(
                "kerasverse.cloud: the processes of this job built the model with different "
                "weights (or a different model). Build the model the same way on every process "
                "and seed it with keras.utils.set_random_seed, not a per-process seed."
            ),
        )


def _replicated_distribute_tensor(original):
    """Keras' JAX `distribute_tensor`, without a collective per replicated variable.

    With several processes, `jax.device_put` onto a sharding that spans them
    all-gathers the whole value to assert that every process passed the same
    one (compiling an all-gather per shape): about 0.2 s per variable on this
    CPU, most of a small job's start-up. For a fully replicated layout (what
    `DataParallel` gives every variable) each process here places its own
    copy on its own devices; the processes hold the same values because
    `keras.distribution.initialize` agreed the seed, and `_WeightsAgree`
    checks that once per `fit`. Other layouts and traced values go to Keras.
    """
    import jax

    @functools.wraps(original)
    def distribute_tensor(tensor, layout):
        from keras.src.distribution import TensorLayout

        sharding = layout.backend_layout if isinstance(layout, TensorLayout) else layout
        if (
            isinstance(sharding, jax.sharding.Sharding)
            and not isinstance(tensor, jax.core.Tracer)
            and not sharding.is_fully_addressable
            and sharding.is_fully_replicated
            and (not isinstance(tensor, jax.Array) or tensor.is_fully_addressable)
        ):
            value = tensor if isinstance(tensor, jax.Array) else np.asarray(tensor)
            arrays = [jax.device_put(value, device) for device in sharding.addressable_devices]
            return jax.make_array_from_single_device_arrays(tuple(value.shape), sharding, arrays)
        return original(tensor, layout)

    return distribute_tensor


class AutoDistribution:
    """Installs the "auto" data-parallel behaviour in one process of a job.

    Args:
        num_processes: The number of processes of the job.
        process_index: This process' rank (0 is the chief).
        seed: The seed shared by all processes (shuffling order).
        checkpointing: A `fault_tolerance.Checkpointing`, or None.
    """

    def __init__(
        self,
        num_processes: int,
        process_index: int,
        seed: int = 0,
        checkpointing: fault_tolerance.Checkpointing | None = None,
    ):
        self.num_processes = num_processes
        self.process_index = process_index
        self.seed = seed
        self.checkpointing = checkpointing
        self.backend = keras.backend.backend()
        self.fit_count = 0
        self._saved: dict[str, Any] = {}
        self._scratch = tempfile.mkdtemp(prefix=f"kerasverse-cloud-rank{process_index}-")

    @property
    def is_chief(self) -> bool:
        return self.process_index == 0

    def initialize_backend(self, coordinator_address: str | None) -> None:
        """JAX: `keras.distribution.initialize` + `DataParallel`; torch: nothing to do."""
        if self.backend == "jax" and self.num_processes > 1:
            keras.distribution.initialize(
                job_addresses=coordinator_address,
                num_processes=self.num_processes,
                process_id=self.process_index,
            )
            keras.distribution.set_distribution(
                keras.distribution.DataParallel(
                    devices=keras.distribution.list_devices(), auto_shard_dataset=False
                )
            )
        elif self.backend not in ("jax", "torch"):
            raise ValueError(
                "`cloud.run(distribution_strategy='auto')` supports the JAX and PyTorch "
                f"backends. Received: KERAS_BACKEND={self.backend!r}. Set KERAS_BACKEND to "
                "'jax' or 'torch', or pass distribution_strategy=None."
            )

    # -- patches --------------------------------------------------------------
    def install(self) -> None:
        if self.backend == "jax" and self.num_processes > 1:
            from keras.src.backend.jax import distribution_lib

            self._saved_distribute_tensor = distribution_lib.distribute_tensor
            distribution_lib.distribute_tensor = _replicated_distribute_tensor(distribution_lib.distribute_tensor)
        model_cls = keras.Model
        for name in ("fit", "evaluate", "predict", "save", "save_weights"):
            self._saved[name] = model_cls.__dict__.get(name, _MISSING)
        original_fit = model_cls.fit
        original_evaluate = model_cls.evaluate
        original_predict = model_cls.predict
        original_save = model_cls.save
        original_save_weights = model_cls.save_weights
        distribution = self

        @functools.wraps(original_fit)
        def fit(model, *args, **kwargs):
            return distribution._fit(original_fit, model, *args, **kwargs)

        @functools.wraps(original_evaluate)
        def evaluate(model, *args, **kwargs):
            return distribution._evaluate(original_evaluate, model, *args, **kwargs)

        @functools.wraps(original_predict)
        def predict(model, *args, **kwargs):
            return distribution._predict(original_predict, model, *args, **kwargs)

        @functools.wraps(original_save)
        def save(model, filepath, *args, **kwargs):
            return original_save(model, distribution._writable(filepath), *args, **kwargs)

        @functools.wraps(original_save_weights)
        def save_weights(model, filepath, *args, **kwargs):
            return original_save_weights(model, distribution._writable(filepath), *args, **kwargs)

        model_cls.fit = fit
        model_cls.evaluate = evaluate
        model_cls.predict = predict
        model_cls.save = save
        model_cls.save_weights = save_weights

    def uninstall(self) -> None:
        if getattr(self, "_saved_distribute_tensor", None) is not None:
            from keras.src.backend.jax import distribution_lib

            distribution_lib.distribute_tensor = self._saved_distribute_tensor
            self._saved_distribute_tensor = None
        for name, value in self._saved.items():
            if value is _MISSING:
                if name in keras.Model.__dict__:
                    delattr(keras.Model, name)
            else:
                setattr(keras.Model, name, value)
        self._saved = {}

    def _writable(self, filepath: Any) -> Any:
        """The chief writes where asked; the others write to their scratch directory."""
        if self.is_chief or not isinstance(filepath, (str, os.PathLike)):
            return filepath
        return os.path.join(self._scratch, os.path.basename(os.fspath(filepath)))

    # -- data -----------------------------------------------------------------
    def _shard(self, x, y, sample_weight, batch_size, shuffle, fit_index):
        if isinstance(x, ShardedDataset):
            return x
        if isinstance(x, keras.utils.PyDataset):
            return ShardedDataset(
                x, None, self.num_processes, self.process_index, shuffle=shuffle,
                seed=self.seed, fit_index=fit_index, equal_shards=self._equal_shards,
            )
        if is_array_structure(x) and x is not None and is_array_structure(y) and is_array_structure(sample_weight):
            batch_size = batch_size or _DEFAULT_BATCH_SIZE
            if self._equal_shards and batch_size % self.num_processes:
                raise ValueError(
                    f"On JAX, `cloud.run` cuts each global batch into {self.num_processes} "
                    "equal blocks, one per process, so batch_size must be a multiple of the "
                    f"number of processes. Received: batch_size={batch_size}."
                )
            return ShardedDataset(
                (x, y, sample_weight), batch_size, self.num_processes, self.process_index,
                shuffle=shuffle, seed=self.seed, fit_index=fit_index,
                equal_shards=self._equal_shards,
            )
        if self.num_processes > 1:
            warnings.warn(
                "`cloud.run` shards numpy arrays and `keras.utils.PyDataset`s across "
                f"processes; received {type(x).__name__}, which every process reads whole. "
                "Shard it yourself (see `kerasverse.cloud.remote`) or pass arrays.",
                stacklevel=3,
            )
        return None

    @property
    def _equal_shards(self) -> bool:
        return self.backend == "jax" and self.num_processes > 1

    def _fit(self, original_fit, model, *args, **kwargs):
        bound = inspect.signature(original_fit).bind(model, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.pop("self", None)
        fit_index = self.fit_count
        self.fit_count += 1
        if self.checkpointing is not None and self.checkpointing.skips(fit_index):
            # This fit finished before the restart: the checkpoint of a later fit
            # holds its result.
            history = keras.callbacks.History()
            history.set_model(model)
            history.history = {}
            return history

        x, y, sample_weight = arguments["x"], arguments["y"], arguments["sample_weight"]
        validation_data = arguments["validation_data"]
        split = arguments["validation_split"]
        if split and validation_data is None and is_array_structure(x) and x is not None:
            from keras.src.trainers.data_adapters.data_adapter_utils import (
                train_validation_split,
            )

            (x, y, sample_weight), validation_data = train_validation_split(
                (x, y, sample_weight), validation_split=split
            )
            arguments["validation_split"] = 0.0
        train = self._shard(
            x, y, sample_weight, arguments["batch_size"], arguments["shuffle"], fit_index
        )
        datasets = []
        if train is not None:
            arguments.update(x=train, y=None, sample_weight=None, batch_size=None, shuffle=False)
            datasets.append(train)
        if validation_data is not None:
            if isinstance(validation_data, tuple) and is_array_structure(validation_data[0]):
                vx, vy, vw = (tuple(validation_data) + (None, None))[:3]
                validation = self._shard(
                    vx, vy, vw,
                    arguments["validation_batch_size"] or arguments["batch_size"] or (
                        train.batch_size if train is not None and train.batch_size else None
                    ),
                    False, fit_index,
                )
            else:
                validation = self._shard(validation_data, None, None, None, False, fit_index)
            if validation is not None:
                arguments.update(validation_data=validation, validation_batch_size=None)

        callbacks = list(arguments["callbacks"] or [])
        self._redirect_writers(callbacks)
        own = [_EpochSetter(datasets)]
        if self.backend == "jax" and self.num_processes > 1:
            own.append(_WeightsAgree())
        if self.backend == "torch" and self.num_processes > 1:
            _torch_install_on_model(model)
            own.append(_AverageNonTrainable())
        if self.checkpointing is not None:
            own.append(self.checkpointing.callback(fit_index, datasets))
        arguments["callbacks"] = own + callbacks
        if not self.is_chief:
            arguments["verbose"] = 0
        return original_fit(model, **arguments)

    def _evaluate(self, original_evaluate, model, *args, **kwargs):
        bound = inspect.signature(original_evaluate).bind(model, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.pop("self", None)
        arguments.update(arguments.pop("kwargs", {}) or {})
        data = self._shard(
            arguments["x"], arguments["y"], arguments["sample_weight"],
            arguments["batch_size"], False, -1,
        )
        if data is not None:
            arguments.update(x=data, y=None, sample_weight=None, batch_size=None)
        if self.backend == "torch" and self.num_processes > 1:
            _torch_install_on_model(model)
        if not self.is_chief:
            arguments["verbose"] = 0
        return original_evaluate(model, **arguments)

    def _predict(self, original_predict, model, *args, **kwargs):
        """Each process predicts its block of every global batch; all get the whole result."""
        bound = inspect.signature(original_predict).bind(model, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.pop("self", None)
        x = arguments["x"]
        if self.num_processes == 1 or isinstance(x, ShardedDataset):
            return original_predict(model, **arguments)
        if isinstance(x, keras.utils.PyDataset):
            data = ShardedDataset(
                x, None, self.num_processes, self.process_index,
                equal_shards=self._equal_shards,
            )
        elif is_array_structure(x) and x is not None:
            if isinstance(x, tuple) and len(x) == 1:
                x = x[0]
            data = ShardedDataset(
                (x, None, None), arguments["batch_size"] or _DEFAULT_BATCH_SIZE,
                self.num_processes, self.process_index,
                equal_shards=self._equal_shards, pad_last=True,
            )
        else:
            return original_predict(model, **arguments)  # Every process predicts it all.
        arguments.update(x=data, batch_size=None)
        if not self.is_chief:
            arguments["verbose"] = 0
        if self.backend == "jax":
            model.make_predict_function()
            function = model.predict_function
            if not getattr(function, "_kerasverse_gathered", False):
                model.predict_function = _jax_gather_outputs(function)
            try:
                outputs = original_predict(model, **arguments)
            finally:
                model.predict_function = function
            return self._trim(outputs, data)
        import torch.distributed as dist

        _torch_sync_variables(model)
        collector = _CollectOutputs()
        arguments["callbacks"] = list(arguments["callbacks"] or []) + [collector]
        original_predict(model, **arguments)
        gathered = [None] * self.num_processes
        dist.all_gather_object(gathered, collector.batches)
        # Global batch i = process 0's block i, process 1's block i, ...
        batches = [
            _concatenate([gathered[p][i] for p in range(self.num_processes)])
            for i in range(len(collector.batches))
        ]
        return self._trim(_concatenate(batches), data)

    @staticmethod
    def _trim(outputs, data):
        """Drops the padding rows of the last batch (arrays)."""
        if data._num_samples is None:
            return outputs
        return tree.map_structure(lambda a: a[: data._num_samples], outputs)

    def _redirect_writers(self, callbacks) -> None:
        if self.is_chief:
            return
        for callback in callbacks:
            if isinstance(callback, keras.callbacks.CSVLogger):
                callback.filename = self._writable(callback.filename)
            elif isinstance(callback, keras.callbacks.TensorBoard):
                callback.log_dir = os.path.join(self._scratch, "tensorboard")


_MISSING = object()
