"""`YOLOV8Detector`: anchor-free one-stage detector (Ultralytics YOLOv8 design)."""

import math

import keras
import numpy as np
from keras import ops

from kerasverse.cv.bounding_box.converters import convert_format
from kerasverse.cv.bounding_box.formats import check_format
from kerasverse.cv.layers.non_max_suppression import NonMaxSuppression
from kerasverse.cv.losses.ciou_loss import CIoULoss
from kerasverse.cv.models.csp_darknet.csp_darknet_backbone import CSPDarkNetBackbone
from kerasverse.cv.models.csp_darknet.csp_darknet_backbone import c2f_block
from kerasverse.cv.models.csp_darknet.csp_darknet_backbone import conv_bn
from kerasverse.cv.models.yolo_v8.yolo_v8_label_encoder import YOLOV8LabelEncoder
from kerasverse.models import Task

BOX_REGRESSION_CHANNELS = 64  # 4 sides x 16 distance bins (distribution focal loss).
STRIDES = (8, 16, 32)
_LEVELS = ("P3", "P4", "P5")


@keras.saving.register_keras_serializable(package="kerasverse")
class YOLOV8Detector(Task):
    """YOLOv8: CSPDarkNet features, a path-aggregation FPN and a decoupled anchor-free head.

    The model maps images `(B, H, W, 3)` (H and W multiples of 32) to raw
    predictions `{"boxes": (B, N, 64), "classes": (B, N, num_classes)}`, one
    row per anchor point of the stride-8, 16 and 32 grids. Each box row is a
    distribution over 16 distance bins for each side (left, top, right,
    bottom). `predict` decodes them and applies `prediction_decoder`
    (non-max suppression), returning `{"boxes", "confidence", "classes",
    "num_detections"}` in `bounding_box_format`.

    Training targets are `{"boxes": (B, M, 4), "classes": (B, M)}` in
    `bounding_box_format`, padded with class `-1`. The loss (see `compile`)
    assigns targets with `YOLOV8LabelEncoder` (task-aligned assignment) and
    sums a CIoU box loss, a distribution focal loss and a binary
    cross-entropy classification loss.

    Args:
        backbone: a backbone with `pyramid_outputs` P3, P4 and P5 (e.g.
            `CSPDarkNetBackbone`).
        num_classes: number of object classes.
        bounding_box_format: format of targets and predictions (e.g.
            `"xyxy"`, `"rel_yxyx"`).
        fpn_depth: C2f blocks depth in the feature pyramid.
        label_encoder: a `YOLOV8LabelEncoder` (default: top-10 matches,
            alpha 0.5, beta 6).
        prediction_decoder: a `NonMaxSuppression` layer (default: IoU 0.7,
            confidence 0.2, as keras_cv).
        preprocessor: optional host-side preprocessor.

    Example:

    ```python
    import keras
    from kerasverse.cv.models import CSPDarkNetBackbone, YOLOV8Detector, make_shapes_dataset

    images, targets = make_shapes_dataset(64, image_size=64)
    detector = YOLOV8Detector(
        CSPDarkNetBackbone.from_preset("yolo_v8_tiny_backbone"),
        num_classes=3,
        bounding_box_format="xyxy",
    )
    detector.compile(optimizer=keras.optimizers.Adam(1e-3))
    detector.fit(images, targets, batch_size=16, epochs=1, verbose=0)
    detections = detector.predict(images[:2], verbose=0)  # dict of boxes, classes, ...
    ```
    """

    backbone_cls = CSPDarkNetBackbone

    def __init__(
        self,
        backbone,
        num_classes,
        bounding_box_format,
        fpn_depth=2,
        label_encoder=None,
        prediction_decoder=None,
        preprocessor=None,
        **kwargs,
    ):
        bounding_box_format = check_format(bounding_box_format)
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"`num_classes` must be a positive integer. Received: num_classes={num_classes!r}")
        pyramid = getattr(backbone, "pyramid_outputs", None) or {}
        missing = [level for level in _LEVELS if level not in pyramid]
        if missing:
            raise ValueError(
                f"YOLOV8Detector needs a backbone with `pyramid_outputs` {list(_LEVELS)}. Received a "
                f"{type(backbone).__name__} with pyramid levels {sorted(pyramid)}."
            )
        if isinstance(label_encoder, dict):
            label_encoder = keras.saving.deserialize_keras_object(label_encoder)
        if isinstance(prediction_decoder, dict):
            prediction_decoder = keras.saving.deserialize_keras_object(prediction_decoder)
        self.backbone = backbone
        self.preprocessor = preprocessor
        self.label_encoder = label_encoder or YOLOV8LabelEncoder(num_classes=num_classes)
        self.prediction_decoder = prediction_decoder or NonMaxSuppression(
            bounding_box_format=bounding_box_format, from_logits=True,
            iou_threshold=0.7, confidence_threshold=0.2,
        )
        extractor = keras.Model(backbone.inputs, [pyramid[level] for level in _LEVELS], name="feature_extractor")
        images = keras.Input(shape=backbone.input.shape[1:], name="images")
        features = _path_aggregation_fpn(extractor(images), fpn_depth)
        outputs = _yolo_v8_head(features, num_classes)
        super().__init__(inputs=images, outputs=outputs, **kwargs)
        self.num_classes = num_classes
        self.bounding_box_format = bounding_box_format
        self.fpn_depth = fpn_depth
        self.box_loss_weight = 7.5
        self.classification_loss_weight = 0.5
        self.dfl_loss_weight = 1.5
        self.box_loss = CIoULoss("xyxy", reduction=None)

    def compile(self, box_loss_weight=7.5, classification_loss_weight=0.5, dfl_loss_weight=1.5, **kwargs):
        """Configures training; the loss is always YOLOv8's.

        Args:
            box_loss_weight: weight of the CIoU box loss (keras_cv: 7.5).
            classification_loss_weight: weight of the classification binary
                cross-entropy (keras_cv: 0.5).
            dfl_loss_weight: weight of the distribution focal loss (1.5).
            **kwargs: `optimizer`, `metrics`, ... for `keras.Model.compile`
                (no `loss`: it is built in).
        """
        if kwargs.pop("loss", None) is not None:
            raise ValueError(
                "YOLOV8Detector computes its own loss; do not pass `loss` to `compile`. Tune it with "
                "`box_loss_weight`, `classification_loss_weight` and `dfl_loss_weight`."
            )
        for key in ("box_loss", "classification_loss"):
            kwargs.pop(key, None)  # keras_cv spellings; the loss is fixed here.
        self.box_loss_weight = box_loss_weight
        self.classification_loss_weight = classification_loss_weight
        self.dfl_loss_weight = dfl_loss_weight
        super().compile(**kwargs)

    def compile_extras(self):
        """The loss weights, saved in `.keras` files with the compile config."""
        return {
            "box_loss_weight": self.box_loss_weight,
            "classification_loss_weight": self.classification_loss_weight,
            "dfl_loss_weight": self.dfl_loss_weight,
        }

    # ------------------------------------------------------------ training
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        image_shape = tuple(int(d) for d in x.shape[1:3])
        points, strides = anchor_points(image_shape)
        raw_boxes, raw_classes = y_pred["boxes"], y_pred["classes"]
        distances = decode_distances(raw_boxes)  # (B, N, 4) in stride units
        pred_boxes = distances_to_boxes(distances * strides, points)  # xyxy pixels
        gt_classes = ops.convert_to_tensor(y["classes"])
        gt_boxes = convert_format(y["boxes"], self.bounding_box_format, "xyxy", image_shape=image_shape)
        gt_mask = gt_classes != -1
        target_boxes, target_scores, fg_mask = self.label_encoder(
            ops.sigmoid(ops.stop_gradient(raw_classes)),
            ops.stop_gradient(pred_boxes),
            points,
            gt_classes,
            gt_boxes,
            gt_mask,
        )
        score_sum = ops.maximum(ops.sum(target_scores), 1.0)
        classification = ops.sum(ops.binary_crossentropy(target_scores, raw_classes, from_logits=True)) / score_sum
        weight = ops.sum(target_scores, axis=-1)  # (B, N), zero off the positives
        box = ops.sum(self.box_loss(target_boxes, pred_boxes) * weight) / score_sum
        target_distances = boxes_to_distances(target_boxes, points) / strides
        dfl = ops.sum(_distribution_focal_loss(raw_boxes, target_distances) * weight) / score_sum
        return (
            self.box_loss_weight * box
            + self.classification_loss_weight * classification
            + self.dfl_loss_weight * dfl
        )

    # ---------------------------------------------------------- prediction
    def decode_predictions(self, predictions, images):
        """Raw head outputs to NMS-ed detections in `bounding_box_format`."""
        image_shape = tuple(int(d) for d in images.shape[1:3])
        points, strides = anchor_points(image_shape)
        boxes = distances_to_boxes(decode_distances(predictions["boxes"]) * strides, points)
        boxes = convert_format(boxes, "xyxy", self.bounding_box_format, image_shape=image_shape)
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
            "fpn_depth": self.fpn_depth,
            "label_encoder": keras.saving.serialize_keras_object(self.label_encoder),
            "prediction_decoder": keras.saving.serialize_keras_object(self.prediction_decoder),
        }


# ------------------------------------------------------------------ helpers
def anchor_points(image_shape, strides=STRIDES):
    """Anchor point centres `(N, 2)` (x, y pixels) and their strides `(N, 1)`, host-side."""
    height, width = image_shape
    points, point_strides = [], []
    for stride in strides:
        ys = (np.arange(math.ceil(height / stride)) + 0.5) * stride
        xs = (np.arange(math.ceil(width / stride)) + 0.5) * stride
        grid_x, grid_y = np.meshgrid(xs, ys)
        points.append(np.stack([grid_x.ravel(), grid_y.ravel()], axis=-1))
        point_strides.append(np.full((grid_x.size, 1), stride))
    return (
        ops.convert_to_tensor(np.concatenate(points).astype("float32")),
        ops.convert_to_tensor(np.concatenate(point_strides).astype("float32")),
    )


def decode_distances(raw_boxes):
    """`(B, N, 64)` bin logits to `(B, N, 4)` expected distances (left, top, right, bottom)."""
    bins = BOX_REGRESSION_CHANNELS // 4
    shape = ops.shape(raw_boxes)
    logits = ops.reshape(raw_boxes, (shape[0], shape[1], 4, bins))
    return ops.sum(ops.softmax(logits, axis=-1) * ops.arange(bins, dtype="float32"), axis=-1)


def distances_to_boxes(distances, points):
    return ops.concatenate([points - distances[..., :2], points + distances[..., 2:]], axis=-1)


def boxes_to_distances(boxes, points):
    return ops.concatenate([points - boxes[..., :2], boxes[..., 2:] - points], axis=-1)


def _distribution_focal_loss(raw_boxes, target_distances):
    bins = BOX_REGRESSION_CHANNELS // 4
    shape = ops.shape(raw_boxes)
    log_probs = ops.log_softmax(ops.reshape(raw_boxes, (shape[0], shape[1], 4, bins)), axis=-1)
    target = ops.clip(target_distances, 0.0, bins - 1.01)
    left = ops.floor(target)
    left_weight = left + 1.0 - target
    left_index = ops.cast(left, "int32")[..., None]
    left_log = ops.take_along_axis(log_probs, left_index, axis=-1)[..., 0]
    right_log = ops.take_along_axis(log_probs, left_index + 1, axis=-1)[..., 0]
    return -ops.mean(left_log * left_weight + right_log * (1.0 - left_weight), axis=-1)


def _path_aggregation_fpn(features, depth):
    p3, p4, p5 = features
    c3, c4, c5 = p3.shape[-1], p4.shape[-1], p5.shape[-1]
    up = keras.layers.UpSampling2D(2, name="fpn_p5_upsample")(p5)
    p4p5 = keras.layers.Concatenate(axis=-1, name="fpn_p4p5_join")([up, p4])
    p4p5 = c2f_block(p4p5, c4, depth, False, "swish", "fpn_p4p5")
    up = keras.layers.UpSampling2D(2, name="fpn_p4p5_upsample")(p4p5)
    out3 = keras.layers.Concatenate(axis=-1, name="fpn_p3p4p5_join")([up, p3])
    out3 = c2f_block(out3, c3, depth, False, "swish", "fpn_p3p4p5")
    down = conv_bn(out3, c3, 3, 2, "swish", "fpn_p3p4p5_downsample")
    out4 = keras.layers.Concatenate(axis=-1, name="fpn_out4_join")([down, p4p5])
    out4 = c2f_block(out4, c4, depth, False, "swish", "fpn_out4")
    down = conv_bn(out4, c4, 3, 2, "swish", "fpn_out4_downsample")
    out5 = keras.layers.Concatenate(axis=-1, name="fpn_out5_join")([down, p5])
    out5 = c2f_block(out5, c5, depth, False, "swish", "fpn_out5")
    return [out3, out4, out5]


def _yolo_v8_head(features, num_classes):
    box_channels = max(BOX_REGRESSION_CHANNELS, features[0].shape[-1] // 4)
    class_channels = max(features[0].shape[-1], min(num_classes, 100))
    boxes, classes = [], []
    for feature, stride in zip(features, STRIDES):
        name = f"head_{stride}"
        box = conv_bn(feature, box_channels, 3, 1, "swish", f"{name}_box1")
        box = conv_bn(box, box_channels, 3, 1, "swish", f"{name}_box2")
        # 1x1 output convolutions as `Dense` on the channel axis (see `conv_bn`).
        box = keras.layers.Dense(BOX_REGRESSION_CHANNELS, bias_initializer="ones", name=f"{name}_box_output")(box)
        cls = conv_bn(feature, class_channels, 3, 1, "swish", f"{name}_class1")
        cls = conv_bn(cls, class_channels, 3, 1, "swish", f"{name}_class2")
        prior = math.log(5.0 / num_classes / (640.0 / stride) ** 2)
        cls = keras.layers.Dense(
            num_classes, bias_initializer=keras.initializers.Constant(prior), name=f"{name}_class_output"
        )(cls)
        boxes.append(keras.layers.Reshape((-1, BOX_REGRESSION_CHANNELS), name=f"{name}_box_reshape")(box))
        classes.append(keras.layers.Reshape((-1, num_classes), name=f"{name}_class_reshape")(cls))
    return {
        "boxes": keras.layers.Concatenate(axis=1, name="box")(boxes),
        "classes": keras.layers.Concatenate(axis=1, name="class")(classes),
    }
