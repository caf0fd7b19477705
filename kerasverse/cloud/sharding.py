"""Input sharding for `cloud.run`'s "auto" distribution.

Every process of a job receives a copy of the same numpy arrays or
`PyDataset`. `ShardedDataset` turns that copy into this process' share of
each *global* batch: global batch `i` (what a single process would train on
at step `i`) is cut into `num_processes` contiguous row blocks and process
`p` reads block `p`. All processes draw the same shuffling permutation
(seeded by the job seed, the `fit` call and the epoch), so one step of the
group consumes exactly the global batch one process would.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import tree


def is_array_structure(value: Any) -> bool:
    """Whether `value` is an array or a list/tuple/dict of arrays (or None)."""
    if value is None:
        return True
    leaves = tree.flatten(value)
    return bool(leaves) and all(
        isinstance(leaf, np.ndarray) or (hasattr(leaf, "shape") and hasattr(leaf, "__array__"))
        for leaf in leaves
    )


def num_rows(structure: Any) -> int:
    return int(np.shape(tree.flatten(structure)[0])[0])


def shard_bounds(global_size: int, num_processes: int, process_index: int) -> tuple[int, int]:
    """Row bounds of this process' block of a batch of `global_size` rows."""
    base, extra = divmod(global_size, num_processes)
    start = process_index * base + min(process_index, extra)
    return start, start + base + (1 if process_index < extra else 0)


def epoch_permutation(size: int, seed: int, fit_index: int, epoch: int) -> np.ndarray:
    """The shuffling order shared by all processes for one epoch."""
    return np.random.default_rng([seed, fit_index, epoch]).permutation(size)


def _slice(structure: Any, index: Any) -> Any:
    if structure is None:
        return None
    return tree.map_structure(lambda leaf: np.asarray(leaf)[index], structure)


class ShardedDataset(keras.utils.PyDataset):
    """This process' share of every global batch of arrays or a `PyDataset`.

    Args:
        source: `(x, y, sample_weight)` numpy structures, or a `PyDataset`
            yielding global batches.
        batch_size: The global batch size (arrays only).
        num_processes: The number of processes of the job.
        process_index: This process' rank.
        shuffle: Shuffle rows (arrays) or batch order (`PyDataset`) each
            epoch with the permutation every process shares.
        seed: The job seed; `fit_index` tells the `fit` calls apart.
        equal_shards: Drop a last global batch that cannot be cut into
            equal blocks (JAX assembles global arrays from equal blocks).
        pad_last: Pad a last global batch that cannot be cut into equal
            blocks (its last row repeated) instead of dropping it, so that no
            sample is lost and no block is empty (`predict`; the caller trims
            the padding rows off the gathered outputs).
    """

    def __init__(
        self,
        source: Any,
        batch_size: int | None,
        num_processes: int,
        process_index: int,
        shuffle: bool = False,
        seed: int = 0,
        fit_index: int = 0,
        equal_shards: bool = False,
        pad_last: bool = False,
    ):
        super().__init__()
        self.source = source
        self.batch_size = batch_size
        self.num_processes = num_processes
        self.process_index = process_index
        self.shuffle = shuffle
        self.seed = seed
        self.fit_index = fit_index
        self.equal_shards = equal_shards
        self.pad_last = pad_last
        self.epoch = 0
        self.is_py_dataset = isinstance(source, keras.utils.PyDataset)
        if self.is_py_dataset:
            self._num_batches = len(source)
            self._num_samples = None
        else:
            x, _, _ = source
            self._num_samples = num_rows(x)
            self._num_batches = -(-self._num_samples // batch_size)
            last = self._num_samples - (self._num_batches - 1) * batch_size
            if equal_shards and last % num_processes and not pad_last:
                self._num_batches -= 1  # An uneven last batch cannot be assembled.
        if self._num_batches < 1:
            raise ValueError(
                f"`cloud.run` cannot cut {self._num_samples} samples into global batches of "
                f"{batch_size} shared by {num_processes} processes: no full batch. Pass more "
                f"data or a smaller batch_size. Received: batch_size={batch_size}."
            )

    def __len__(self) -> int:
        return self._num_batches

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _order(self, size: int) -> np.ndarray | None:
        if not self.shuffle:
            return None
        return epoch_permutation(size, self.seed, self.fit_index, self.epoch)

    def __getitem__(self, index: int):
        if self.is_py_dataset:
            order = self._order(self._num_batches)
            batch = self.source[int(order[index]) if order is not None else index]
            if not isinstance(batch, tuple):
                batch = (batch,)
            size = num_rows(batch[0])
            if self.equal_shards and size % self.num_processes:
                raise ValueError(
                    f"A batch of {size} samples cannot be split evenly across "
                    f"{self.num_processes} JAX processes. Make every batch of the PyDataset a "
                    f"multiple of {self.num_processes} samples. Received: batch {index}."
                )
            start, stop = shard_bounds(size, self.num_processes, self.process_index)
            return tuple(_slice(part, slice(start, stop)) for part in batch)
        x, y, sample_weight = self.source
        order = self._order(self._num_samples)
        begin = index * self.batch_size
        end = min(begin + self.batch_size, self._num_samples)
        size = end - begin
        if self.pad_last and size % self.num_processes:
            size += self.num_processes - size % self.num_processes
        start, stop = shard_bounds(size, self.num_processes, self.process_index)
        rows = np.minimum(np.arange(begin + start, begin + stop), end - 1)  # Padding repeats the last row.
        if order is not None:
            rows = order[rows]
        batch = (_slice(x, rows), _slice(y, rows), _slice(sample_weight, rows))
        while batch[-1] is None and len(batch) > 1:
            batch = batch[:-1]
        return batch

    def on_epoch_end(self) -> None:
        if self.is_py_dataset:
            self.source.on_epoch_end()
