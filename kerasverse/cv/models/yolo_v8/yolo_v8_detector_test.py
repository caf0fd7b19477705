import os

import keras
import numpy as np
import pytest

from kerasverse.cv.layers import NonMaxSuppression
from kerasverse.cv.models.csp_darknet.csp_darknet_backbone import CSPDarkNetBackbone
from kerasverse.cv.models.resnet.resnet_backbone import ResNetBackbone
from kerasverse.cv.models.shapes_dataset import make_shapes_dataset
from kerasverse.cv.models.test_utils import TINY_CSP_DARKNET
from kerasverse.cv.models.test_utils import check_keras_file_round_trip
from kerasverse.cv.models.yolo_v8 import yolo_v8_detector
from kerasverse.cv.models.yolo_v8.yolo_v8_detector import YOLOV8Detector
from kerasverse.testing import TestCase


def _detector(bounding_box_format="xyxy", **kwargs):
    backbone = CSPDarkNetBackbone(**TINY_CSP_DARKNET, image_shape=(64, 64, 3))
    return YOLOV8Detector(backbone, num_classes=3, bounding_box_format=bounding_box_format, fpn_depth=1, **kwargs)


class YOLOV8DetectorTest(TestCase):
    def test_model_outputs_and_saving(self):
        images, _ = make_shapes_dataset(2, image_size=64)
        detector = _detector()
        # 8x8 + 4x4 + 2x2 anchor points for a 64x64 image.
        self.run_model_test(
            detector, images, expected_output_shape={"boxes": (2, 84, 64), "classes": (2, 84, 3)},
            run_training_check=False, run_jit_check=False,
        )

    def test_fit_and_predict(self):
        images, targets = make_shapes_dataset(16, image_size=64, seed=2)
        targets["boxes"] = targets["boxes"] / 64.0 * (targets["classes"][..., None] >= 0) - (targets["classes"][..., None] < 0)
        decoder = NonMaxSuppression("rel_xyxy", from_logits=True, confidence_threshold=0.0, max_detections=5)
        detector = _detector("rel_xyxy", prediction_decoder=decoder)
        with pytest.raises(ValueError, match="computes its own loss"):
            detector.compile(loss="mse")
        detector.compile(optimizer=keras.optimizers.Adam(5e-3), box_loss_weight=5.0, dfl_loss_weight=1.0)
        before = [np.array(w) for w in detector.trainable_weights]
        history = detector.fit(images, targets, batch_size=8, epochs=1, verbose=0)
        self.assertTrue(np.isfinite(history.history["loss"][-1]))
        moved = [not np.allclose(b, np.array(w)) for b, w in zip(before, detector.trainable_weights)]
        self.assertGreater(np.mean(moved), 0.9, "the loss must reach (almost) every weight")
        detections = detector.predict(images[:3], batch_size=3, verbose=0)
        self.assertEqual(np.asarray(detections["boxes"]).shape, (3, 5, 4))
        self.assertEqual(np.asarray(detections["classes"]).shape, (3, 5))
        self.assertTrue(np.all(np.isfinite(np.asarray(detections["boxes"]))))
        # A loaded .keras file predicts, evaluates and trains without `compile`.
        check_keras_file_round_trip(
            self, detector, images[:8], {key: value[:8] for key, value in targets.items()},
            {"box_loss_weight": 5.0, "classification_loss_weight": 0.5, "dfl_loss_weight": 1.0},
        )
        # Relative boxes: the same raw outputs decoded in pixels are 64x larger.
        raw = detector(images[:1])
        relative = keras.ops.convert_to_numpy(detector.decode_predictions(raw, images[:1])["boxes"])
        detector.prediction_decoder = NonMaxSuppression("xyxy", from_logits=True, confidence_threshold=0.0, max_detections=5)
        detector.bounding_box_format = "xyxy"
        pixels = keras.ops.convert_to_numpy(detector.decode_predictions(raw, images[:1])["boxes"])
        self.assertAllClose(relative * 64.0, pixels, atol=1e-3, rtol=1e-4)

    def test_decoding_matches_hand_computation(self):
        points, strides = yolo_v8_detector.anchor_points((64, 64))
        points, strides = np.asarray(points), np.asarray(strides)
        self.assertEqual(points.shape, (84, 2))
        self.assertAllClose(points[:2], np.array([[4.0, 4.0], [12.0, 4.0]]))
        self.assertAllClose(points[64], np.array([8.0, 8.0]))
        self.assertEqual(float(strides[64, 0]), 16.0)
        # One-hot bins at distances 1, 2, 3, 4 (left, top, right, bottom).
        raw = np.full((1, 1, 4, 16), -100.0, "float32")
        for side, distance in enumerate([1, 2, 3, 4]):
            raw[0, 0, side, distance] = 100.0
        distances = np.asarray(yolo_v8_detector.decode_distances(raw.reshape(1, 1, 64)))
        self.assertAllClose(distances, np.array([[[1.0, 2.0, 3.0, 4.0]]]), atol=1e-4)
        boxes = yolo_v8_detector.distances_to_boxes(distances * 8.0, points[:1])
        self.assertAllClose(boxes, np.array([[[-4.0, -12.0, 28.0, 36.0]]]), atol=1e-3)

    def test_preset_round_trip(self):
        images, _ = make_shapes_dataset(2, image_size=64)
        detector = _detector()
        preset = self.get_temp_dir()
        detector.save_to_preset(preset)
        self.assertTrue(os.path.exists(os.path.join(preset, "task.weights.h5")))
        restored = YOLOV8Detector.from_preset(preset)
        self.assertEqual(restored.bounding_box_format, "xyxy")
        self.assertAllClose(restored(images), detector(images), atol=1e-5)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="pyramid levels"):
            inputs = keras.Input((8,))
            YOLOV8Detector(keras.Model(inputs, keras.layers.Dense(2)(inputs)), 3, "xyxy")
        backbone = ResNetBackbone.from_preset("resnet_tiny")
        with pytest.raises(ValueError, match="Received: num_classes=0"):
            YOLOV8Detector(backbone, 0, "xyxy")
        with pytest.raises(ValueError, match="xyzw"):
            YOLOV8Detector(backbone, 2, "xyzw")
