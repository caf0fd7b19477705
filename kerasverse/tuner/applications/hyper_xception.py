"""`HyperXception`: an Xception-style network whose widths and depth are tuned."""

import keras

from kerasverse.tuner.applications import _common


def _normalized(layer_class, activation, *args, **kwargs):
    """A conv layer with its activation: SELU self-normalizes (LeCun init);
    ReLU goes through batch normalization."""
    if activation == "selu":
        init = {"depthwise_initializer": "lecun_normal", "pointwise_initializer": "lecun_normal"}
        if layer_class is keras.layers.Conv2D:
            init = {"kernel_initializer": "lecun_normal"}
        layer = layer_class(*args, activation="selu", padding="same", **init, **kwargs)
        return layer
    block = keras.Sequential([
        layer_class(*args, padding="same", use_bias=False, **kwargs),
        keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"),
    ])
    return block


def _residual_block(x, filters, kernel_size, activation, downsample):
    shortcut = x
    if downsample:
        shortcut = keras.layers.Conv2D(filters, 1, strides=2, padding="same")(x)
    elif x.shape[-1] != filters:
        shortcut = keras.layers.Conv2D(filters, 1, padding="same")(x)
    for _ in range(2):
        x = _normalized(keras.layers.SeparableConv2D, activation, filters, kernel_size)(x)
    if downsample:
        x = keras.layers.MaxPooling2D(kernel_size, strides=2, padding="same")(x)
    return keras.layers.Add()([x, shortcut])


class HyperXception(_common.ImageHyperModel):
    """An Xception-style image classifier (separable convolutions with
    residual connections) whose architecture and training are tuned.

    Hyperparameters (keras_tuner's names and ranges): `activation` ("relu",
    "selu"), `conv2d_num_filters` (32, 64, 128), `kernel_size` (3, 5),
    `initial_strides` (2), `sep_num_filters` (128 to 768, step 128),
    `num_residual_blocks` (2 to 8), `pooling` ("avg", "flatten", "max"),
    `num_dense_layers` (1 to 3), `dropout_rate` (0 to 0.6, step 0.1),
    `dense_use_bn`, `learning_rate` (1e-3, 1e-4, 1e-5, Adam). Compiled with
    `categorical_crossentropy` (one-hot labels) and accuracy.

    Args:
        include_top: Add the dense head and compile (default True); False
            returns the pooled features, uncompiled.
        input_shape: The image shape, such as (32, 32, 3).
        input_tensor: A Keras tensor to use as the image input instead.
        classes: The number of classes (needed with `include_top=True`).
        **kwargs: `name`, `tunable` (see `HyperModel`).

    Example:

    ```python
    tuner = kt.Hyperband(kt.applications.HyperXception(input_shape=(32, 32, 3),
                                                       classes=10),
                         objective="val_accuracy", max_epochs=10)
    ```
    """

    def build(self, hp):
        activation = hp.Choice("activation", ["relu", "selu"])
        inputs, x = _common.make_inputs(self.input_shape, self.input_tensor)
        kernel_size = hp.Choice("kernel_size", [3, 5])
        x = _normalized(
            keras.layers.Conv2D, activation,
            hp.Choice("conv2d_num_filters", [32, 64, 128], default=64), kernel_size,
            strides=hp.Choice("initial_strides", [2]),
        )(x)
        filters = hp.Int("sep_num_filters", 128, 768, step=128, default=256)
        for _ in range(hp.Int("num_residual_blocks", 2, 8, default=4)):
            x = _residual_block(x, filters, kernel_size, activation, downsample=False)
        x = _residual_block(x, 2 * filters, kernel_size, activation, downsample=True)
        x = _common.global_pooling(x, hp.Choice("pooling", ["avg", "flatten", "max"]))
        if not self.include_top:
            return keras.Model(inputs, x, name="Xception")
        num_dense_layers = hp.Int("num_dense_layers", 1, 3)
        dropout_rate = hp.Float("dropout_rate", 0.0, 0.6, step=0.1, default=0.5)
        use_batchnorm = hp.Choice("dense_use_bn", [True, False])
        for _ in range(num_dense_layers):
            x = keras.layers.Dense(self.classes, activation=activation)(x)
            if use_batchnorm:
                x = keras.layers.BatchNormalization()(x)
            x = keras.layers.Dropout(dropout_rate)(x)
        outputs = keras.layers.Dense(self.classes, activation="softmax")(x)
        model = keras.Model(inputs, outputs, name="Xception")
        model.compile(
            optimizer=keras.optimizers.Adam(hp.Choice("learning_rate", [1e-3, 1e-4, 1e-5])),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model
