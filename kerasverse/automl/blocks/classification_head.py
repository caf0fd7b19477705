"""`ClassificationHead`: class labels in any form (ints, strings, one-hot, multi-label)."""

import keras
import numpy as np

from kerasverse.automl.block import one_input
from kerasverse.automl.block import tunable
from kerasverse.automl.blocks.spatial_reduction import SpatialReduction
from kerasverse.automl.head import Head


def _python(value):
    return value.item() if hasattr(value, "item") else value


class ClassificationHead(Head):
    """Classification: softmax over the classes (sigmoid for two classes or
    multi-label), cross-entropy loss, accuracy. The label format is learned
    from the training targets and given back by `predict`: integers stay
    integers, strings stay strings, one-hot stays one-hot, with the shape
    they came in.

    Args:
        num_classes: Number of classes (default: inferred from the targets).
        multi_label: Each sample may have several labels (a 0/1 matrix).
        loss: A Keras loss (default: binary or categorical cross-entropy).
        metrics: Keras metrics (default ["accuracy"]).
        dropout: Dropout before the output layer (default: searched in 0, 0.25, 0.5).
        name: The head's name (the output layer's name).

    Example:

    ```python
    output_node = ak.ClassificationHead(num_classes=3)(ak.DenseBlock()(ak.Input()))
    ```
    """

    def __init__(self, num_classes=None, multi_label=False, loss=None, metrics=None, dropout=None, **kwargs):
        super().__init__(loss=loss, metrics=metrics, **kwargs)
        if num_classes is not None and (isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2):
            raise ValueError(f"`num_classes` must be an int >= 2. Received: num_classes={num_classes!r}.")
        self.num_classes = None if num_classes is None else int(num_classes)
        self.multi_label = multi_label
        self.dropout = dropout
        self.label_format = None  # "labels", "one_hot" or "multi_label"
        self.classes = None
        self.label_dtype = None
        self.label_ndim = None

    # -------------------------------------------------------------- targets
    def fit_targets(self, y):
        y = np.asarray(y)
        self.check_targets(y)
        self.label_dtype = str(y.dtype) if y.dtype != object else "object"
        self.label_ndim = y.ndim
        if y.ndim == 2 and y.shape[1] > 1:
            numeric = y.dtype.kind in "biuf"
            binary = numeric and np.isin(y, (0, 1)).all()
            if not binary:
                raise ValueError(
                    "2-D classification targets must be one-hot or multi-label 0/1 columns. "
                    f"Received: y with shape {y.shape} and values such as {y[0].tolist()}."
                )
            one_hot = (y.sum(axis=1) == 1).all()
            self.label_format = "multi_label" if self.multi_label or not one_hot else "one_hot"
            self.num_classes = self.num_classes or y.shape[1]
            if self.num_classes != y.shape[1]:
                raise ValueError(
                    f"num_classes={self.num_classes} but the targets have {y.shape[1]} columns. "
                    f"Received: y with shape {y.shape}."
                )
            if self.label_format == "one_hot" and len(np.unique(y.argmax(axis=1))) < 2:
                raise ValueError(self._one_class_message(np.unique(y.argmax(axis=1))))
        else:
            if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
                raise ValueError(
                    f"Classification targets must be 1-D labels, (n, 1) labels or one-hot rows. Received: y with shape {y.shape}."
                )
            flat = y.reshape(-1)
            classes = np.unique(flat.astype(str) if flat.dtype == object else flat)
            if len(classes) < 2:
                raise ValueError(self._one_class_message(classes))
            if (
                self.num_classes is not None
                and flat.dtype.kind in "iu"
                and classes.min() >= 0
                and classes.max() < self.num_classes
            ):
                classes = np.arange(self.num_classes, dtype=flat.dtype)
            if self.num_classes is not None and len(classes) != self.num_classes:
                raise ValueError(
                    f"num_classes={self.num_classes} but the targets hold {len(classes)} classes: "
                    f"{classes[:10].tolist()}. Received: y with {len(flat)} labels."
                )
            self.num_classes = len(classes)
            self.classes = [_python(c) for c in classes]
            self.label_format = "labels"
        self.shape = (None, 1 if self._binary_output else self.num_classes)

    def _one_class_message(self, classes):
        return (
            "Classification needs at least two classes in the training targets. Received: y with "
            f"only the class(es) {list(map(_python, classes))}. Use RegressionHead for a constant, "
            "or add samples of the other classes."
        )

    @property
    def _binary_output(self):
        return self.label_format == "labels" and self.num_classes == 2

    def encode_targets(self, y):
        y = np.asarray(y)
        if self.label_format in ("one_hot", "multi_label"):
            return y.astype("float32")
        flat = y.reshape(-1)
        keys = flat.astype(str) if flat.dtype == object else flat
        lookup = {c if not isinstance(c, str) else c: i for i, c in enumerate(self.classes)}
        try:
            index = np.array([lookup[k.item() if hasattr(k, "item") else k] for k in keys], dtype="int64")
        except KeyError as error:
            raise ValueError(
                f"The label {error.args[0]!r} was not in the training targets (classes: {self.classes[:10]})."
            ) from None
        if self._binary_output:
            return index.reshape(-1, 1).astype("float32")
        return np.eye(self.num_classes, dtype="float32")[index]

    def decode(self, outputs):
        outputs = np.asarray(outputs)
        if self.label_format == "multi_label":
            return (outputs > 0.5).astype(self.label_dtype)
        index = (outputs[:, 0] > 0.5).astype(int) if outputs.shape[-1] == 1 else outputs.argmax(axis=-1)
        if self.label_format == "one_hot":
            return np.eye(self.num_classes, dtype=self.label_dtype)[index]
        labels = np.asarray(self.classes, dtype=object)[index]
        labels = labels.astype(self.label_dtype) if self.label_dtype != "object" else labels
        return labels.reshape(-1, 1) if self.label_ndim == 2 else labels

    def get_state(self):
        return {
            **super().get_state(), "num_classes": self.num_classes, "label_format": self.label_format,
            "classes": self.classes, "label_dtype": self.label_dtype, "label_ndim": self.label_ndim,
        }

    def set_state(self, state):
        super().set_state(state)
        for key in ("num_classes", "label_format", "classes", "label_dtype", "label_ndim"):
            setattr(self, key, state[key])

    # ---------------------------------------------------------------- model
    default_metrics = ["accuracy"]

    @property
    def default_loss(self):
        if self.label_format == "multi_label" or self._binary_output:
            return "binary_crossentropy"
        return "categorical_crossentropy"

    def build(self, hp, inputs=None):
        x = one_input(self, inputs)
        if len(x.shape) > 2:
            x = self.build_child(hp, SpatialReduction(), [x])
        dropout = tunable(hp, "dropout", self.dropout, lambda: hp.Choice("dropout", [0.0, 0.25, 0.5], default=0.0))
        if dropout:
            x = keras.layers.Dropout(float(dropout))(x)
        sigmoid = self.label_format == "multi_label" or self._binary_output
        units = 1 if self._binary_output else int(self.num_classes)
        return keras.layers.Dense(units, activation="sigmoid" if sigmoid else "softmax", name=self.name)(x)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "multi_label": self.multi_label,
                "dropout": self.dropout}
