"""`DeepLabV3Plus`: semantic segmentation with ASPP and a low-level decoder."""

import keras

from kerasverse.cv.models.deeplab_v3_plus.spatial_pyramid_pooling import (
    SpatialPyramidPooling,
)
from kerasverse.models import Backbone
from kerasverse.models import Task


@keras.saving.register_keras_serializable(package="kerasverse")
class DeepLabV3Plus(Task):
    """DeepLabV3+ (Chen et al., 2018): per-pixel class scores.

    The backbone's deepest pyramid level goes through `SpatialPyramidPooling`
    and is upsampled (bilinear) to the stride-4 level P2, projected to
    `projection_filters` channels; both are concatenated, refined by a 3x3
    convolution, upsampled to the input size and classified by a 1x1
    convolution. Image height and width must be multiples of the backbone's
    deepest stride (32 for the bundled backbones).

    Args:
        backbone: a backbone with `pyramid_outputs` including P2.
        num_classes: number of segmentation classes.
        projection_filters: channels of the projected low-level features.
        spatial_pyramid_filters: channels of the ASPP and decoder.
        dilation_rates: ASPP dilation rates.
        activation: activation of the output (`None`: logits).
        preprocessor: optional host-side preprocessor.

    Example:

    ```python
    import keras
    import numpy as np
    from kerasverse.cv.models import DeepLabV3Plus, ResNetBackbone

    model = DeepLabV3Plus(ResNetBackbone.from_preset("resnet_tiny"), num_classes=2)
    model.compile(
        optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    images = np.random.rand(4, 64, 64, 3).astype("float32")
    masks = (images[..., 0] > 0.5).astype("int32")
    model.fit(images, masks, epochs=1, verbose=0)
    ```
    """

    backbone_cls = Backbone

    def __init__(
        self,
        backbone,
        num_classes,
        projection_filters=48,
        spatial_pyramid_filters=256,
        dilation_rates=(6, 12, 18),
        activation=None,
        preprocessor=None,
        **kwargs,
    ):
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"`num_classes` must be a positive integer. Received: num_classes={num_classes!r}")
        pyramid = getattr(backbone, "pyramid_outputs", None) or {}
        if "P2" not in pyramid:
            raise ValueError(
                "DeepLabV3Plus needs a backbone with a stride-4 `pyramid_outputs['P2']`. Received a "
                f"{type(backbone).__name__} with pyramid levels {sorted(pyramid)}."
            )
        top = max(pyramid, key=lambda name: int(name[1:]))
        self.backbone = backbone
        self.preprocessor = preprocessor
        extractor = keras.Model(backbone.inputs, [pyramid["P2"], pyramid[top]], name="feature_extractor")
        images = keras.Input(shape=backbone.input.shape[1:], name="images")
        low, high = extractor(images)
        high = SpatialPyramidPooling(dilation_rates, spatial_pyramid_filters, name="spatial_pyramid_pooling")(high)
        high = keras.layers.UpSampling2D(2 ** (int(top[1:]) - 2), interpolation="bilinear", name="aspp_upsample")(high)
        low = keras.layers.Conv2D(projection_filters, 1, use_bias=False, name="low_level_projection")(low)
        low = keras.layers.BatchNormalization(name="low_level_bn")(low)
        low = keras.layers.ReLU(name="low_level_relu")(low)
        x = keras.layers.Concatenate(axis=-1, name="decoder_concat")([high, low])
        x = keras.layers.Conv2D(spatial_pyramid_filters, 3, padding="same", use_bias=False, name="decoder_conv")(x)
        x = keras.layers.BatchNormalization(name="decoder_bn")(x)
        x = keras.layers.ReLU(name="decoder_relu")(x)
        x = keras.layers.UpSampling2D(4, interpolation="bilinear", name="output_upsample")(x)
        outputs = keras.layers.Conv2D(num_classes, 1, activation=activation, name="segmentation_output")(x)
        super().__init__(inputs=images, outputs=outputs, **kwargs)
        self.num_classes = num_classes
        self.projection_filters = projection_filters
        self.spatial_pyramid_filters = spatial_pyramid_filters
        self.dilation_rates = list(dilation_rates)
        self.activation = activation

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "projection_filters": self.projection_filters,
            "spatial_pyramid_filters": self.spatial_pyramid_filters,
            "dilation_rates": self.dilation_rates,
            "activation": self.activation,
        }
