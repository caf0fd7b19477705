"""`TensorBoard`: scalars and HParams for TensorBoard, without TensorFlow."""

import os
import time

import keras

from kerasverse.tuner.callbacks.event_file import STATUS_FAILURE
from kerasverse.tuner.callbacks.event_file import STATUS_SUCCESS
from kerasverse.tuner.callbacks.event_file import EventFileWriter


class TensorBoard(keras.callbacks.Callback):
    """Writes the training curves (and a trial's hyperparameters) for TensorBoard.

    The layout is that of `keras.callbacks.TensorBoard`: `log_dir/train` and
    `log_dir/validation` hold `epoch_<metric>` scalars (`batch_<metric>` every
    `update_freq` batches); with `hparams`, `log_dir` itself holds the HParams
    plugin's session, so TensorBoard's HParams tab shows one row per run.
    Keras' callback needs TensorFlow (`tf.summary`); this one writes the
    event files itself. The tuner uses it in place of a
    `keras.callbacks.TensorBoard` given to `search(callbacks=...)` on the
    JAX and PyTorch backends, with `log_dir/<trial_id>/execution<n>` per
    trial, as keras_tuner does.

    Args:
        log_dir: The folder of this run.
        update_freq: `"epoch"`, `"batch"` or a number of batches between
            batch-level scalars.
        hparams: Optional dict of hyperparameter values (numbers, strings,
            booleans) for the HParams plugin, or a `HyperParameters` (its
            active values when training begins, so those the model declared
            while being built are included).
        group_name: The HParams session group (keras_tuner: the trial id, so
            a trial's executions form one group).

    Example:

    ```python
    model.fit(x, y, validation_split=0.2,
              callbacks=[TensorBoard("logs/run1", hparams={"units": 32})])
    # tensorboard --logdir logs
    ```
    """

    def __init__(self, log_dir="logs", update_freq="epoch", hparams=None, group_name=""):
        super().__init__()
        if not isinstance(log_dir, (str, os.PathLike)):
            raise ValueError(f"Argument `log_dir` must be a folder path. Received: log_dir={log_dir!r}")
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and not (isinstance(update_freq, int) and update_freq >= 1):
            raise ValueError(
                'Argument `update_freq` must be "epoch", "batch" or an integer >= 1. '
                f"Received: update_freq={update_freq!r}"
            )
        self.log_dir = os.fspath(log_dir)
        self.update_freq = update_freq
        self.hparams = hparams if hasattr(hparams, "space") else dict(hparams or {})
        self.group_name = group_name
        self._writers = {}
        self._global_batch = 0
        self._failed = False

    def _writer(self, name):
        if name not in self._writers:
            folder = self.log_dir if name == "session" else os.path.join(self.log_dir, name)
            self._writers[name] = EventFileWriter(folder)
        return self._writers[name]

    def _hparams_values(self):
        hparams = self.hparams
        if not hasattr(hparams, "space"):
            return hparams
        return {hp.name: hparams.values[hp.name] for hp in hparams.space if hp.name in hparams.values}

    def on_train_begin(self, logs=None):
        values = self._hparams_values()
        if values:
            self._writer("session").add_hparams_start(
                values, group_name=self.group_name, start_time=time.time()
            )

    def on_train_batch_end(self, batch, logs=None):
        self._global_batch += 1
        if self.update_freq == "epoch" or self._global_batch % self.update_freq:
            return
        for name, value in (logs or {}).items():
            if _is_number(value):
                self._writer("train").add_scalar(f"batch_{name}", float(value), self._global_batch)

    def on_epoch_end(self, epoch, logs=None):
        for name, value in (logs or {}).items():
            if not _is_number(value):
                continue
            value = float(value)
            self._failed = self._failed or value != value  # NaN.
            if name.startswith("val_"):
                self._writer("validation").add_scalar(f"epoch_{name[4:]}", value, epoch)
            else:
                self._writer("train").add_scalar(f"epoch_{name}", value, epoch)

    def on_train_end(self, logs=None):
        if "session" in self._writers:
            self._writer("session").add_hparams_end(STATUS_FAILURE if self._failed else STATUS_SUCCESS)
        for writer in self._writers.values():
            writer.close()
        self._writers = {}


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return getattr(value, "ndim", 0) == 0
