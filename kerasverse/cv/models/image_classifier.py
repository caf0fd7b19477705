"""`ImageClassifier`: any image backbone plus a pooling and dense head."""

import keras

from kerasverse.models import Backbone
from kerasverse.models import Task

_POOLINGS = ("avg", "max")


@keras.saving.register_keras_serializable(package="kerasverse")
class ImageClassifier(Task):
    """Classifies images with a backbone, global pooling, dropout and a dense layer.

    Args:
        backbone: an image `Backbone` (e.g. `ResNetBackbone`).
        num_classes: number of classes.
        pooling: `"avg"` or `"max"` global pooling of the backbone output.
        activation: activation of the output layer (`None` gives logits;
            `"softmax"` gives probabilities).
        dropout: dropout rate before the output layer.
        preprocessor: optional preprocessor run on the host before the model.

    Example:

    ```python
    import keras
    import numpy as np
    from kerasverse.cv.models import ImageClassifier, ResNetBackbone

    classifier = ImageClassifier(ResNetBackbone.from_preset("resnet_tiny"), num_classes=3)
    classifier.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    images = np.random.rand(8, 32, 32, 3).astype("float32")
    classifier.fit(images, np.arange(8) % 3, epochs=1, verbose=0)
    ```
    """

    backbone_cls = Backbone

    def __init__(self, backbone, num_classes, pooling="avg", activation=None, dropout=0.0, preprocessor=None, **kwargs):
        if pooling not in _POOLINGS:
            raise ValueError(f"`pooling` must be one of {_POOLINGS}. Received: pooling={pooling!r}")
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"`num_classes` must be a positive integer. Received: num_classes={num_classes!r}")
        self.backbone = backbone
        self.preprocessor = preprocessor
        inputs = keras.Input(shape=backbone.input.shape[1:], name="images")
        x = backbone(inputs)
        if pooling == "avg":
            x = keras.layers.GlobalAveragePooling2D(name="pooler")(x)
        else:
            x = keras.layers.GlobalMaxPooling2D(name="pooler")(x)
        x = keras.layers.Dropout(dropout, name="output_dropout")(x)
        outputs = keras.layers.Dense(num_classes, activation=activation, name="predictions")(x)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.num_classes = num_classes
        self.pooling = pooling
        self.activation = activation
        self.dropout = dropout

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "pooling": self.pooling,
            "activation": self.activation,
            "dropout": self.dropout,
        }
