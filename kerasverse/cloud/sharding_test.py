import keras
import numpy as np
import pytest

from kerasverse.cloud.sharding import ShardedDataset
from kerasverse.cloud.sharding import shard_bounds

pytestmark = pytest.mark.host


def _gather(make, num_processes, num_batches):
    """Concatenates the blocks of all processes for each batch (the global batch)."""
    shards = [make(p) for p in range(num_processes)]
    return [
        np.concatenate([shard[i][0] for shard in shards]) for i in range(num_batches)
    ]


def test_blocks_of_all_processes_form_the_global_batches():
    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.arange(10, dtype="float32")
    single = ShardedDataset((x, y, None), 4, 1, 0)
    assert len(single) == 3
    for num_processes in (2, 3):
        got = _gather(lambda p, n=num_processes: ShardedDataset((x, y, None), 4, n, p), num_processes, 3)
        for i in range(3):
            np.testing.assert_array_equal(got[i], x[4 * i : 4 * i + 4])
    # Shuffled: every process draws the same permutation, and it changes per epoch.
    def shuffled(p, epoch):
        dataset = ShardedDataset((x, y, None), 4, 2, p, shuffle=True, seed=3)
        dataset.set_epoch(epoch)
        return dataset

    epoch0 = np.concatenate(_gather(lambda p: shuffled(p, 0), 2, 3))
    epoch1 = np.concatenate(_gather(lambda p: shuffled(p, 1), 2, 3))
    one_process = np.concatenate([shuffled(0, 0)[i][0] for i in range(3)])
    assert sorted(epoch0[:, 0].tolist()) == x[:, 0].tolist()
    assert not np.array_equal(epoch0, epoch1)
    single_shuffled = ShardedDataset((x, y, None), 4, 1, 0, shuffle=True, seed=3)
    np.testing.assert_array_equal(np.concatenate([single_shuffled[i][0] for i in range(3)]), epoch0)
    assert one_process.shape[0] == 5


def test_equal_shards_drop_an_uneven_last_batch_and_py_datasets_are_cut():
    x = np.zeros((10, 1), "float32")
    assert len(ShardedDataset((x, None, None), 4, 2, 0, equal_shards=True)) == 3  # last: 2 rows
    assert len(ShardedDataset((x, None, None), 4, 4, 0, equal_shards=True)) == 2  # 2 rows / 4

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.full((6, 1), i, "float32"), np.arange(6, dtype="float32")

    blocks = [ShardedDataset(Batches(), None, 3, p)[1] for p in range(3)]
    assert [b[1].tolist() for b in blocks] == [[0, 1], [2, 3], [4, 5]]
    assert shard_bounds(5, 2, 0) == (0, 3) and shard_bounds(5, 2, 1) == (3, 5)
    with pytest.raises(ValueError, match="no full batch"):
        ShardedDataset((np.zeros((1, 1)), None, None), 4, 2, 0, equal_shards=True)
    # predict pads an uneven last batch (its last row repeated) instead of dropping it.
    x = np.arange(10, dtype="float32")[:, None]
    padded = [ShardedDataset((x, None, None), 4, 4, p, equal_shards=True, pad_last=True) for p in range(4)]
    assert len(padded[0]) == 3
    last = np.concatenate([shard[2][0] for shard in padded])
    assert last[:, 0].tolist() == [8, 9, 9, 9]
