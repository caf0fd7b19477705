"""`Task`: a backbone plus a head (and optionally a preprocessor) for one job."""

import math
import os

import keras
import numpy as np

from kerasverse.models import preset_io
from kerasverse.models.functional_subclass import FunctionalSubclassMixin


class PreprocessedDataset(keras.utils.PyDataset):
    """Batches raw `(x, y, sample_weight)` and runs a preprocessor per batch.

    This is how a `Task` with a preprocessor trains on raw data (strings,
    images) without tf.data: slicing and preprocessing happen on the host,
    in numpy, for any backend.

    Args:
        preprocessor: callable `(x, y, sample_weight) -> packed batch`.
        x: a list/array of raw inputs, or a dict of them.
        y: targets or None.
        sample_weight: weights or None.
        batch_size: rows per batch.
        shuffle: reshuffle the rows at each epoch (seeded by `seed`).
        seed: seed of the shuffling.
    """

    def __init__(self, preprocessor, x, y=None, sample_weight=None, batch_size=32, shuffle=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.preprocessor = preprocessor
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.num_rows = _num_rows(x)
        if self.num_rows == 0:
            raise ValueError("Received an empty dataset: `x` has no rows.")
        for name, value in (("y", y), ("sample_weight", sample_weight)):
            if value is not None and _num_rows(value) != self.num_rows:
                raise ValueError(
                    f"`x` has {self.num_rows} rows but `{name}` has {_num_rows(value)}. "
                    "Pass one target and weight per input row."
                )
        self.batch_size = int(batch_size or 32)
        self.shuffle = shuffle
        self.rng = np.random.default_rng(seed)
        self.order = np.arange(self.num_rows)
        if shuffle:
            self.rng.shuffle(self.order)

    def __len__(self):
        return math.ceil(self.num_rows / self.batch_size)

    def __getitem__(self, index):
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        take = lambda v: None if v is None else _take(v, rows)  # noqa: E731
        return self.preprocessor(take(self.x), take(self.y), take(self.sample_weight))

    def on_epoch_end(self):
        if self.shuffle:
            self.rng.shuffle(self.order)


def _num_rows(value):
    if isinstance(value, dict):
        return _num_rows(next(iter(value.values())))
    return len(value)


def _take(value, rows):
    if isinstance(value, dict):
        return {key: _take(v, rows) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [value[i] for i in rows]
    return np.asarray(value)[rows]


class Task(FunctionalSubclassMixin, keras.Model):
    """Base class for tasks: a `Backbone`, a head, and an optional preprocessor.

    Subclasses declare `backbone_cls` and `preprocessor_cls`, set
    `self.backbone` and `self.preprocessor`, build the functional graph from
    `backbone.input` and call `super().__init__(inputs=..., outputs=...)`.

    With a preprocessor attached, `fit`, `evaluate` and `predict` accept raw
    inputs (e.g. a list of strings) and preprocess them batch by batch on the
    host (`PreprocessedDataset`); pass `preprocessor=None` to feed model
    inputs directly.

    `from_preset(dir)` builds the backbone and preprocessor from the preset
    and, when the preset holds a `task.json` of this class, the saved head and
    its weights.
    """

    backbone_cls = None
    preprocessor_cls = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._finish_functional_init()

    def compile_extras(self):
        """The arguments of a subclass's own `compile` (beyond Keras'), as a
        dict of serializable values: saved in `.keras` files with the compile
        config and passed back to `compile` on load. Empty by default."""
        return {}

    def get_compile_config(self):
        config = super().get_compile_config()
        if config:
            config.update(self.compile_extras())
        return config

    def compile_from_config(self, config):
        """Re-compiles a loaded model, so that a `.keras` file loads ready to
        `fit` and `evaluate` with its optimizer state. (Keras itself skips
        this for models whose `compile` is overridden.)"""
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.optimizer.build(self.trainable_variables)  # So the saved optimizer state loads.

    def get_config(self):
        config = {
            "backbone": keras.saving.serialize_keras_object(self.backbone),
            "name": self.name,
            "trainable": self.trainable,
        }
        if getattr(self, "preprocessor", None) is not None:
            config["preprocessor"] = keras.saving.serialize_keras_object(self.preprocessor)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("backbone", "preprocessor"):
            if isinstance(config.get(key), dict):
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    # ------------------------------------------------------------ presets
    @classmethod
    def from_preset(cls, preset, load_weights=True, **kwargs):
        """Builds the task from a local preset directory.

        Args:
            preset: a directory written by `save_to_preset` (of this task or
                of a backbone only), or a Hugging Face checkpoint directory.
            load_weights: load saved weights (backbone, and head if saved).
            **kwargs: constructor arguments (e.g. `num_classes`) overriding
                the saved ones.
        """
        preset = preset_io.check_preset_dir(preset)
        if cls.backbone_cls is None:
            raise ValueError(f"{cls.__name__} does not declare `backbone_cls`; it cannot load presets.")
        backbone = cls.backbone_cls.from_preset(preset, load_weights=load_weights)
        if "preprocessor" not in kwargs and cls.preprocessor_cls is not None:
            kwargs["preprocessor"] = cls.preprocessor_cls.from_preset(preset)
        task_path = os.path.join(preset, preset_io.TASK_CONFIG_FILE)
        if os.path.exists(task_path):
            saved = preset_io.read_json(preset, preset_io.TASK_CONFIG_FILE)
            if saved.get("class_name") == cls.__name__:
                config = {**saved["config"], **kwargs, "backbone": backbone}
                task = cls.from_config(config)
                # A changed head argument (e.g. another `num_classes`) gets a
                # new head: only the backbone's weights apply then.
                head_changed = any(
                    key != "preprocessor" and saved["config"].get(key) != value
                    for key, value in kwargs.items()
                )
                weights_path = os.path.join(preset, preset_io.TASK_WEIGHTS_FILE)
                if load_weights and not head_changed and os.path.exists(weights_path):
                    preset_io.load_weights(task, preset, preset_io.TASK_WEIGHTS_FILE)
                return task
        return cls(backbone=backbone, **kwargs)

    def save_to_preset(self, preset_dir):
        """Writes backbone, preprocessor, task config and task weights."""
        os.makedirs(preset_dir, exist_ok=True)
        self.backbone.save_to_preset(preset_dir)
        if getattr(self, "preprocessor", None) is not None:
            self.preprocessor.save_to_preset(preset_dir)
        serialized = keras.saving.serialize_keras_object(self)
        serialized["config"].pop("backbone", None)  # In config.json already.
        serialized["config"].pop("preprocessor", None)  # In preprocessor.json.
        preset_io.write_json(preset_dir, preset_io.TASK_CONFIG_FILE, serialized)
        self.save_weights(os.path.join(preset_dir, preset_io.TASK_WEIGHTS_FILE))

    # ---------------------------------------------------- raw-data training
    def _wrap(self, x, y, sample_weight, batch_size, shuffle):
        if getattr(self, "preprocessor", None) is None or isinstance(x, keras.utils.PyDataset):
            return None
        return PreprocessedDataset(self.preprocessor, x, y, sample_weight, batch_size=batch_size, shuffle=shuffle)

    def fit(self, x=None, y=None, batch_size=None, sample_weight=None, shuffle=True, **kwargs):
        data = self._wrap(x, y, sample_weight, batch_size, shuffle)
        if data is None:
            return super().fit(x, y, batch_size=batch_size, sample_weight=sample_weight, shuffle=shuffle, **kwargs)
        validation_data = kwargs.pop("validation_data", None)
        if validation_data is not None and not isinstance(validation_data, keras.utils.PyDataset):
            validation_data = PreprocessedDataset(self.preprocessor, *validation_data, batch_size=batch_size)
        return super().fit(data, validation_data=validation_data, **kwargs)

    def evaluate(self, x=None, y=None, batch_size=None, sample_weight=None, **kwargs):
        data = self._wrap(x, y, sample_weight, batch_size, shuffle=False)
        if data is None:
            return super().evaluate(x, y, batch_size=batch_size, sample_weight=sample_weight, **kwargs)
        return super().evaluate(data, **kwargs)

    def predict(self, x, batch_size=None, **kwargs):
        data = self._wrap(x, None, None, batch_size, shuffle=False)
        if data is None:
            return super().predict(x, batch_size=batch_size, **kwargs)
        return super().predict(data, **kwargs)

