"""`RetinaNet`: anchor-based one-stage detector with focal loss (Lin et al., 2017)."""

import math

import keras
from keras import ops

from kerasverse.cv.bounding_box.converters import convert_format
from kerasverse.cv.bounding_box.formats import check_format
from kerasverse.cv.bounding_box.iou import compute_iou
from kerasverse.cv.layers.anchor_generator import AnchorGenerator
from kerasverse.cv.layers.box_matcher import BoxMatcher
from kerasverse.cv.layers.non_max_suppression import NonMaxSuppression
from kerasverse.cv.losses.focal_loss import FocalLoss
from kerasverse.cv.losses.smooth_l1_loss import SmoothL1Loss
from kerasverse.models import Backbone
from kerasverse.models import Task

BOX_VARIANCE = (0.1, 0.1, 0.2, 0.2)


@keras.saving.register_keras_serializable(package="kerasverse")
class RetinaNet(Task):
    """RetinaNet: a feature pyramid, shared class and box heads, anchors and focal loss.

    The pyramid levels are those of the anchor generator's strides (stride
    `2**l` is level `Pl`): levels up to P5 come from the backbone's
    `pyramid_outputs` through a top-down FPN; P6 and P7 (if asked for) are
    stride-2 convolutions on top. The model maps images to raw predictions
    `{"boxes": (B, A, 4), "classes": (B, A, num_classes)}`, one row per anchor:
    box deltas (centre offsets over anchor size and log size ratios, divided by
    the variance 0.1, 0.1, 0.2, 0.2) and class logits. `predict` decodes the
    deltas and applies `prediction_decoder` (non-max suppression).

    Training targets are `{"boxes": (B, M, 4), "classes": (B, M)}` in
    `bounding_box_format`, padded with class `-1`. Anchors are matched to
    boxes by IoU with `BoxMatcher` (>= 0.5 positive, < 0.4 negative, in
    between ignored; each box also gets its best anchor); the loss is
    `FocalLoss` over the classes plus `SmoothL1Loss` over the positives'
    deltas, both divided by the number of positive anchors.

    Args:
        backbone: a backbone with `pyramid_outputs` (e.g. `ResNetBackbone`).
        num_classes: number of object classes.
        bounding_box_format: format of targets and predictions.
        anchor_generator: an `AnchorGenerator` (default: keras_cv's, sizes
            32..512 at strides 8..128, 3 scales, aspect ratios 0.5, 1, 2).
        feature_pyramid_filters: channels of the pyramid levels.
        head_filters: channels of the head convolutions.
        num_head_convs: 3x3 convolutions in each head before the output.
        prediction_decoder: a `NonMaxSuppression` layer (default: IoU 0.5,
            confidence 0.5, from logits).
        preprocessor: optional host-side preprocessor.

    Example:

    ```python
    import keras
    from kerasverse.cv.layers import AnchorGenerator
    from kerasverse.cv.models import ResNetBackbone, RetinaNet, make_shapes_dataset

    images, targets = make_shapes_dataset(32, image_size=64)
    anchors = AnchorGenerator("xyxy", sizes=[12, 24, 48], scales=[1.0, 1.26, 1.59],
                              aspect_ratios=[0.5, 1.0, 2.0], strides=[8, 16, 32])
    detector = RetinaNet(ResNetBackbone.from_preset("resnet_tiny"), num_classes=3,
                         bounding_box_format="xyxy", anchor_generator=anchors,
                         feature_pyramid_filters=32, head_filters=32, num_head_convs=2)
    detector.compile(optimizer=keras.optimizers.Adam(1e-3))
    detector.fit(images, targets, batch_size=16, epochs=1, verbose=0)
    detections = detector.predict(images[:2], verbose=0)
    ```
    """

    backbone_cls = Backbone

    def __init__(
        self,
        backbone,
        num_classes,
        bounding_box_format,
        anchor_generator=None,
        feature_pyramid_filters=256,
        head_filters=256,
        num_head_convs=4,
        prediction_decoder=None,
        preprocessor=None,
        **kwargs,
    ):
        bounding_box_format = check_format(bounding_box_format)
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"`num_classes` must be a positive integer. Received: num_classes={num_classes!r}")
        if isinstance(anchor_generator, dict):
            anchor_generator = keras.saving.deserialize_keras_object(anchor_generator)
        if isinstance(prediction_decoder, dict):
            prediction_decoder = keras.saving.deserialize_keras_object(prediction_decoder)
        anchor_generator = anchor_generator or default_anchor_generator(bounding_box_format)
        levels = _levels(anchor_generator)
        pyramid = getattr(backbone, "pyramid_outputs", None) or {}
        needed = [f"P{level}" for level in range(levels[0], min(levels[-1], 5) + 1)]
        missing = [name for name in needed if name not in pyramid]
        if missing or levels[0] < 3:
            raise ValueError(
                f"The anchor generator's strides need pyramid levels P{levels[0]}..P{levels[-1]}; "
                f"levels from P3 up come from the backbone. Received a {type(backbone).__name__} with "
                f"pyramid levels {sorted(pyramid)} (missing {missing or ['P' + str(levels[0])]})."
            )
        self.backbone = backbone
        self.preprocessor = preprocessor
        self.anchor_generator = anchor_generator
        self.prediction_decoder = prediction_decoder or NonMaxSuppression(
            bounding_box_format=bounding_box_format, from_logits=True,
            iou_threshold=0.5, confidence_threshold=0.5,
        )
        self.box_matcher = BoxMatcher(thresholds=[0.4, 0.5], match_values=[0, -1, 1], force_match_for_each_col=True)
        extractor = keras.Model(backbone.inputs, [pyramid[name] for name in needed], name="feature_extractor")
        images = keras.Input(shape=backbone.input.shape[1:], name="images")
        features = _feature_pyramid(extractor(images), levels, feature_pyramid_filters)
        num_anchors = len(anchor_generator.scales) * len(anchor_generator.aspect_ratios)
        outputs = _heads(features, num_classes, num_anchors, head_filters, num_head_convs)
        super().__init__(inputs=images, outputs=outputs, **kwargs)
        self.num_classes = num_classes
        self.bounding_box_format = bounding_box_format
        self.feature_pyramid_filters = feature_pyramid_filters
        self.head_filters = head_filters
        self.num_head_convs = num_head_convs
        self.classification_loss = FocalLoss(alpha=0.25, gamma=2.0, from_logits=True, reduction=None)
        self.box_loss = SmoothL1Loss(l1_cutoff=1.0, reduction=None)
        self.box_loss_weight = 1.0
        self.classification_loss_weight = 1.0

    def compile(self, box_loss_weight=1.0, classification_loss_weight=1.0, **kwargs):
        """Configures training; the loss is always focal + smooth L1.

        Args:
            box_loss_weight: weight of the smooth L1 box loss.
            classification_loss_weight: weight of the focal loss.
            **kwargs: `optimizer`, `metrics`, ... for `keras.Model.compile`
                (no `loss`: it is built in).
        """
        if kwargs.pop("loss", None) is not None:
            raise ValueError(
                "RetinaNet computes its own loss; do not pass `loss` to `compile`. Tune it with "
                "`box_loss_weight` and `classification_loss_weight`."
            )
        for key in ("box_loss", "classification_loss"):
            kwargs.pop(key, None)  # keras_cv spellings; the loss is fixed here.
        self.box_loss_weight = box_loss_weight
        self.classification_loss_weight = classification_loss_weight
        super().compile(**kwargs)

    def compile_extras(self):
        """The loss weights, saved in `.keras` files with the compile config."""
        return {
            "box_loss_weight": self.box_loss_weight,
            "classification_loss_weight": self.classification_loss_weight,
        }

    def anchors(self, image_shape):
        """All anchors `(A, 4)`, `center_xywh` pixels, in the order of the predictions."""
        levels = self.anchor_generator(image_shape=tuple(image_shape) + (3,))
        anchors = ops.concatenate([levels[key] for key in self.anchor_generator.sizes], axis=0)
        return convert_format(
            anchors, self.anchor_generator.bounding_box_format, "center_xywh", image_shape=image_shape
        )

    # ------------------------------------------------------------ training
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        image_shape = tuple(int(d) for d in x.shape[1:3])
        anchors = self.anchors(image_shape)
        gt_classes = ops.convert_to_tensor(y["classes"])
        gt_boxes = convert_format(y["boxes"], self.bounding_box_format, "xyxy", image_shape=image_shape)
        gt_mask = gt_classes != -1
        batch = ops.shape(gt_boxes)[0]
        anchors_xyxy = ops.broadcast_to(convert_format(anchors, "center_xywh", "xyxy")[None], (batch, anchors.shape[0], 4))
        iou = compute_iou(anchors_xyxy, gt_boxes, "xyxy")  # (B, A, M)
        iou = ops.where(gt_mask[:, None, :], iou, -1.0)
        columns, values = self.box_matcher(iou)
        matched_valid = ops.take_along_axis(gt_mask, columns, axis=1)
        positive = ops.cast((values == 1) & matched_valid, "float32")
        counted = ops.cast((values != -1) | ~matched_valid, "float32")  # negatives and positives
        matched_boxes = ops.take_along_axis(gt_boxes, columns[..., None], axis=1)
        matched_classes = ops.cast(ops.take_along_axis(ops.maximum(gt_classes, 0), columns, axis=1), "int32")
        class_targets = ops.one_hot(matched_classes, self.num_classes) * positive[..., None]
        box_targets = encode_box_deltas(convert_format(matched_boxes, "xyxy", "center_xywh"), anchors)
        num_positive = ops.maximum(ops.sum(positive), 1.0)
        classification = ops.sum(self.classification_loss(class_targets, y_pred["classes"]) * counted) / num_positive
        box = ops.sum(self.box_loss(box_targets, y_pred["boxes"]) * positive) / num_positive
        return self.classification_loss_weight * classification + self.box_loss_weight * box

    # ---------------------------------------------------------- prediction
    def decode_predictions(self, predictions, images):
        """Raw head outputs to NMS-ed detections in `bounding_box_format`."""
        image_shape = tuple(int(d) for d in images.shape[1:3])
        boxes = decode_box_deltas(predictions["boxes"], self.anchors(image_shape))
        boxes = convert_format(boxes, "center_xywh", self.bounding_box_format, image_shape=image_shape)
        return self.prediction_decoder(boxes, predictions["classes"], image_shape=image_shape)

    def predict_step(self, *args):
        outputs = super().predict_step(*args)
        x, _, _ = keras.utils.unpack_x_y_sample_weight(args[-1])
        if isinstance(outputs, tuple):  # JAX: (outputs, non_trainable_variables)
            return self.decode_predictions(outputs[0], x), outputs[1]
        return self.decode_predictions(outputs, x)

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "bounding_box_format": self.bounding_box_format,
            "anchor_generator": keras.saving.serialize_keras_object(self.anchor_generator),
            "feature_pyramid_filters": self.feature_pyramid_filters,
            "head_filters": self.head_filters,
            "num_head_convs": self.num_head_convs,
            "prediction_decoder": keras.saving.serialize_keras_object(self.prediction_decoder),
        }


def default_anchor_generator(bounding_box_format):
    """keras_cv's RetinaNet anchors: sizes 32..512 at strides 8..128 (P3..P7)."""
    return AnchorGenerator(
        bounding_box_format,
        sizes=[32.0, 64.0, 128.0, 256.0, 512.0],
        scales=[2**0, 2 ** (1 / 3), 2 ** (2 / 3)],
        aspect_ratios=[0.5, 1.0, 2.0],
        strides=[8, 16, 32, 64, 128],
    )


def encode_box_deltas(boxes, anchors):
    """`center_xywh` boxes to deltas against `center_xywh` anchors (divided by the variance)."""
    variance = ops.convert_to_tensor(BOX_VARIANCE)
    boxes, anchors = ops.convert_to_tensor(boxes), ops.convert_to_tensor(anchors)
    centre = (boxes[..., :2] - anchors[..., :2]) / anchors[..., 2:]
    size = ops.log(ops.maximum(boxes[..., 2:], 1e-6) / anchors[..., 2:])
    return ops.concatenate([centre, size], axis=-1) / variance


def decode_box_deltas(deltas, anchors):
    """Inverse of `encode_box_deltas`: `center_xywh` boxes."""
    anchors = ops.convert_to_tensor(anchors)
    deltas = ops.convert_to_tensor(deltas) * ops.convert_to_tensor(BOX_VARIANCE)
    centre = deltas[..., :2] * anchors[..., 2:] + anchors[..., :2]
    size = ops.exp(ops.minimum(deltas[..., 2:], 10.0)) * anchors[..., 2:]
    return ops.concatenate([centre, size], axis=-1)


def _levels(anchor_generator):
    levels = []
    for key in anchor_generator.sizes:
        stride = anchor_generator.strides[key]
        level = int(round(math.log2(stride)))
        if 2**level != stride:
            raise ValueError(f"Anchor strides must be powers of 2. Received: stride={stride}")
        levels.append(level)
    if levels != list(range(levels[0], levels[0] + len(levels))):
        raise ValueError(f"Anchor strides must be consecutive powers of 2, ascending. Received levels: {levels}")
    return levels


def _feature_pyramid(backbone_features, levels, filters):
    laterals = [
        keras.layers.Conv2D(filters, 1, name=f"fpn_lateral_P{level}")(feature)
        for level, feature in zip(levels, backbone_features)
    ]
    merged = [laterals[-1]]
    for index in range(len(laterals) - 2, -1, -1):
        up = keras.layers.UpSampling2D(2, name=f"fpn_upsample_P{levels[index + 1]}")(merged[0])
        merged.insert(0, keras.layers.Add(name=f"fpn_merge_P{levels[index]}")([laterals[index], up]))
    outputs = [
        keras.layers.Conv2D(filters, 3, padding="same", name=f"fpn_output_P{level}")(feature)
        for level, feature in zip(levels, merged)
    ]
    top = backbone_features[-1]
    for level in range(levels[0] + len(backbone_features), levels[-1] + 1):
        if level > levels[0] + len(backbone_features):
            top = keras.layers.ReLU(name=f"fpn_relu_P{level}")(top)
        top = keras.layers.Conv2D(filters, 3, strides=2, padding="same", name=f"fpn_output_P{level}")(top)
        outputs.append(top)
    return outputs


def _heads(features, num_classes, num_anchors, filters, num_convs):
    def tower(prefix):
        return [
            keras.layers.Conv2D(filters, 3, padding="same", activation="relu", kernel_initializer=keras.initializers.RandomNormal(stddev=0.01), name=f"{prefix}_conv{index}")
            for index in range(num_convs)
        ]

    class_tower, box_tower = tower("class_head"), tower("box_head")
    prior = -math.log((1 - 0.01) / 0.01)
    class_output = keras.layers.Conv2D(
        num_anchors * num_classes, 3, padding="same", name="class_head_output",
        kernel_initializer=keras.initializers.RandomNormal(stddev=0.01),
        bias_initializer=keras.initializers.Constant(prior),
    )
    box_output = keras.layers.Conv2D(
        num_anchors * 4, 3, padding="same", name="box_head_output",
        kernel_initializer=keras.initializers.RandomNormal(stddev=0.01),
    )
    classes, boxes = [], []
    for index, feature in enumerate(features):
        x = feature
        for layer in class_tower:
            x = layer(x)
        classes.append(keras.layers.Reshape((-1, num_classes), name=f"class_reshape{index}")(class_output(x)))
        x = feature
        for layer in box_tower:
            x = layer(x)
        boxes.append(keras.layers.Reshape((-1, 4), name=f"box_reshape{index}")(box_output(x)))
    return {
        "boxes": keras.layers.Concatenate(axis=1, name="box")(boxes),
        "classes": keras.layers.Concatenate(axis=1, name="class")(classes),
    }
