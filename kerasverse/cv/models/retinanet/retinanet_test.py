import keras
import numpy as np
import pytest

from kerasverse.cv.layers import AnchorGenerator
from kerasverse.cv.layers import NonMaxSuppression
from kerasverse.cv.models.csp_darknet.csp_darknet_backbone import CSPDarkNetBackbone
from kerasverse.cv.models.resnet.resnet_backbone import ResNetBackbone
from kerasverse.cv.models.retinanet import retinanet
from kerasverse.cv.models.retinanet.retinanet import RetinaNet
from kerasverse.cv.models.shapes_dataset import make_shapes_dataset
from kerasverse.cv.models.test_utils import TINY_RESNET
from kerasverse.cv.models.test_utils import check_keras_file_round_trip
from kerasverse.testing import TestCase


def _anchors(bounding_box_format="xyxy"):
    return AnchorGenerator(
        bounding_box_format, sizes=[12, 24, 48], scales=[1.0, 1.5], aspect_ratios=[0.5, 1.0, 2.0], strides=[8, 16, 32]
    )


def _detector(bounding_box_format="xyxy", **kwargs):
    backbone = ResNetBackbone(**TINY_RESNET, image_shape=(64, 64, 3))
    return RetinaNet(
        backbone, num_classes=3, bounding_box_format=bounding_box_format, anchor_generator=_anchors(),
        feature_pyramid_filters=8, head_filters=8, num_head_convs=1, **kwargs,
    )


class RetinaNetTest(TestCase):
    def test_model_outputs_and_saving(self):
        images, _ = make_shapes_dataset(2, image_size=64)
        # (8x8 + 4x4 + 2x2) cells x 6 anchors.
        self.run_model_test(
            _detector(), images, expected_output_shape={"boxes": (2, 504, 4), "classes": (2, 504, 3)},
            run_training_check=False, run_jit_check=False,
        )

    def test_fit_predict_and_preset(self):
        images, targets = make_shapes_dataset(16, image_size=64, seed=2)
        decoder = NonMaxSuppression("xyxy", from_logits=True, confidence_threshold=0.0, max_detections=5)
        detector = _detector(prediction_decoder=decoder)
        with pytest.raises(ValueError, match="computes its own loss"):
            detector.compile(loss="mse")
        detector.compile(optimizer=keras.optimizers.Adam(5e-3), classification_loss_weight=2.0)
        before = [np.array(w) for w in detector.trainable_weights]
        history = detector.fit(images, targets, batch_size=8, epochs=1, verbose=0)
        self.assertTrue(np.isfinite(history.history["loss"][-1]))
        moved = [not np.allclose(b, np.array(w)) for b, w in zip(before, detector.trainable_weights)]
        self.assertGreater(np.mean(moved), 0.9, "the loss must reach (almost) every weight")
        detections = detector.predict(images[:3], batch_size=3, verbose=0)
        self.assertEqual(np.asarray(detections["boxes"]).shape, (3, 5, 4))
        self.assertEqual(int(np.asarray(detections["num_detections"]).min()), 5)
        preset = self.get_temp_dir()
        detector.save_to_preset(preset)
        restored = RetinaNet.from_preset(preset)
        self.assertEqual(restored.prediction_decoder.max_detections, 5)
        self.assertAllClose(restored(images[:2]), detector(images[:2]), atol=1e-5)
        # A loaded .keras file predicts, evaluates and trains without `compile`.
        check_keras_file_round_trip(
            self, detector, images[:8], {key: value[:8] for key, value in targets.items()},
            {"box_loss_weight": 1.0, "classification_loss_weight": 2.0},
        )

    def test_box_encoding_round_trip(self):
        rng = np.random.default_rng(0)
        anchors = np.concatenate([rng.uniform(0, 64, (10, 2)), rng.uniform(4, 40, (10, 2))], -1).astype("float32")
        boxes = np.concatenate([rng.uniform(0, 64, (10, 2)), rng.uniform(4, 40, (10, 2))], -1).astype("float32")
        deltas = np.asarray(retinanet.encode_box_deltas(boxes, anchors))
        # Independent formula: (cx - ax) / aw / 0.1, log(w / aw) / 0.2.
        self.assertAllClose(deltas[:, 0], (boxes[:, 0] - anchors[:, 0]) / anchors[:, 2] / 0.1, atol=1e-4, rtol=1e-4)
        self.assertAllClose(deltas[:, 3], np.log(boxes[:, 3] / anchors[:, 3]) / 0.2, atol=1e-4, rtol=1e-4)
        self.assertAllClose(retinanet.decode_box_deltas(deltas, anchors), boxes, atol=1e-3, rtol=1e-4)

    def test_default_anchors_build_p6_p7(self):
        detector = RetinaNet(
            CSPDarkNetBackbone(stackwise_channels=[4, 8, 8, 8], stackwise_depth=[1, 1, 1, 1], image_shape=(128, 128, 3)),
            num_classes=2, bounding_box_format="rel_yxyx", feature_pyramid_filters=8, head_filters=8, num_head_convs=1,
        )
        # P3..P7 on a 128x128 image: (16^2 + 8^2 + 4^2 + 2^2 + 1) cells x 9 anchors.
        self.assertEqual(tuple(detector.output["classes"].shape), (None, 341 * 9, 2))

    def test_bad_arguments(self):
        backbone = ResNetBackbone(**TINY_RESNET)
        with pytest.raises(ValueError, match="Received: num_classes=-1"):
            RetinaNet(backbone, -1, "xyxy")
        bad = AnchorGenerator("xyxy", sizes=[8], scales=[1.0], aspect_ratios=[1.0], strides=[4])
        with pytest.raises(ValueError, match="P2"):
            RetinaNet(backbone, 2, "xyxy", anchor_generator=bad)
        bad = AnchorGenerator("xyxy", sizes=[8], scales=[1.0], aspect_ratios=[1.0], strides=[12])
        with pytest.raises(ValueError, match="powers of 2"):
            RetinaNet(backbone, 2, "xyxy", anchor_generator=bad)
