"""`HyperResNet`: a ResNet from `keras.applications` with a tunable depth."""

import keras

from kerasverse.tuner.applications import _common

_RESNETS = {
    ("v1", 50): "ResNet50",
    ("v1", 101): "ResNet101",
    ("v1", 152): "ResNet152",
    ("v2", 50): "ResNet50V2",
    ("v2", 101): "ResNet101V2",
    ("v2", 152): "ResNet152V2",
}


class HyperResNet(_common.ImageHyperModel):
    """A ResNet image classifier whose architecture and training are tuned.

    The network is `keras.applications.ResNet{depth}[V2]` (random
    initialization) with a pooling and a softmax head. Hyperparameters:
    `version` ("v1" or "v2"), `depth` (50, 101, 152), `pooling`
    ("avg", "max"), `optimizer` ("adam", "rmsprop", "sgd") and
    `learning_rate` (0.1, 0.01, 0.001). Compiled with
    `categorical_crossentropy` (one-hot labels) and accuracy, as in
    keras_tuner.

    Differences from keras_tuner: no `"next"` (ResNeXt) version, and one
    `depth` hyperparameter instead of `conv3_depth`/`conv4_depth` (the
    standard ResNet depths of `keras.applications`).

    Args:
        include_top: Add the classification head and compile (default True);
            False returns the pooled features, uncompiled.
        input_shape: The image shape, such as (32, 32, 3) (at least 32x32).
        input_tensor: A Keras tensor to use as the image input instead.
        classes: The number of classes (needed with `include_top=True`).
        **kwargs: `name`, `tunable` (see `HyperModel`).

    Example:

    ```python
    tuner = kt.RandomSearch(kt.applications.HyperResNet(input_shape=(32, 32, 3),
                                                        classes=10),
                            objective="val_accuracy", max_trials=5)
    ```
    """

    def build(self, hp):
        version = hp.Choice("version", ["v1", "v2"], default="v2")
        depth = hp.Choice("depth", [50, 101, 152], default=50)
        inputs, x = _common.make_inputs(self.input_shape, self.input_tensor)
        backbone = getattr(keras.applications, _RESNETS[(version, depth)])(
            include_top=False, weights=None, input_tensor=x
        )
        x = _common.global_pooling(
            backbone.output, hp.Choice("pooling", ["avg", "max"], default="avg")
        )
        if not self.include_top:
            return keras.Model(inputs, x, name="ResNet")
        outputs = keras.layers.Dense(self.classes, activation="softmax", name="probs")(x)
        model = keras.Model(inputs, outputs, name="ResNet")
        optimizer = keras.optimizers.get(
            hp.Choice("optimizer", ["adam", "rmsprop", "sgd"], default="adam")
        )
        optimizer.learning_rate = hp.Choice("learning_rate", [0.1, 0.01, 0.001], default=0.01)
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
        return model
