"""Every loss against a plain-numpy reference written from its paper's formula."""

import math
import os

import keras
import numpy as np
import pytest

from kerasverse.cv import losses
from kerasverse.testing import TestCase


def random_boxes(rng, shape):
    xy = rng.uniform(0, 60, size=(*shape, 2))
    wh = rng.uniform(2, 30, size=(*shape, 2))
    return np.concatenate([xy, xy + wh], axis=-1).astype("float32")


def np_parts(a, b):
    a, b = a.astype(float), b.astype(float)
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    wa, ha, wb, hb = a[..., 2] - a[..., 0], a[..., 3] - a[..., 1], b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
    union = wa * ha + wb * hb - inter
    cw = np.maximum(a[..., 2], b[..., 2]) - np.minimum(a[..., 0], b[..., 0])
    ch = np.maximum(a[..., 3], b[..., 3]) - np.minimum(a[..., 1], b[..., 1])
    return inter / union, union, cw, ch, (wa, ha, wb, hb)


def np_giou_loss(a, b):  # Rezatofighi et al. 2019, Alg. 1
    iou, union, cw, ch, _ = np_parts(a, b)
    return 1 - (iou - (cw * ch - union) / (cw * ch))


def np_ciou_loss(a, b):  # Zheng et al. 2020, eq. (10)
    iou, _, cw, ch, (wa, ha, wb, hb) = np_parts(a, b)
    a, b = a.astype(float), b.astype(float)
    rho2 = ((a[..., 0] + a[..., 2]) / 2 - (b[..., 0] + b[..., 2]) / 2) ** 2 + (
        (a[..., 1] + a[..., 3]) / 2 - (b[..., 1] + b[..., 3]) / 2) ** 2
    v = 4 / math.pi**2 * (np.arctan(wa / ha) - np.arctan(wb / hb)) ** 2
    alpha = v / ((1 - iou) + v)
    return 1 - iou + rho2 / (cw**2 + ch**2) + alpha * v


def np_focal(y, logits, alpha, gamma, smoothing=0.0):  # Lin et al. 2017, eq. (5)
    y = y * (1 - smoothing) + 0.5 * smoothing
    p = 1 / (1 + np.exp(-logits))
    ce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    p_t = y * p + (1 - y) * (1 - p)
    alpha_t = y * alpha + (1 - y) * (1 - alpha)
    return (alpha_t * (1 - p_t) ** gamma * ce).sum(-1)


class LossesTest(TestCase):
    def setUp(self):
        super().setUp()
        rng = np.random.default_rng(0)
        self.y_true = random_boxes(rng, (4, 6))
        self.y_pred = self.y_true + rng.uniform(-8, 8, size=(4, 6, 4)).astype("float32")
        self.y_pred[..., 2:] = np.maximum(self.y_pred[..., 2:], self.y_pred[..., :2] + 1)
        self.y_pred[0, 0] = self.y_true[0, 0] + 100  # no overlap at all

    def test_iou_loss_modes(self):
        iou = np_parts(self.y_true, self.y_pred)[0]
        expected = {"linear": 1 - iou, "quadratic": 1 - iou**2, "log": -np.log(np.maximum(iou, 1e-7))}
        for mode, per_box in expected.items():
            loss = losses.IoULoss("xyxy", mode=mode, reduction=None)
            self.assertAllClose(loss(self.y_true, self.y_pred), per_box.mean(-1), atol=1e-4, rtol=1e-4, msg=mode)
        loss = losses.IoULoss("xyxy", mode="linear", axis="no_reduction", reduction=None)
        self.assertAllClose(loss(self.y_true, self.y_pred), 1 - iou, atol=1e-5, rtol=1e-5)

    def test_giou_loss(self):
        loss = losses.GIoULoss("xyxy", reduction=None)
        self.assertAllClose(loss(self.y_true, self.y_pred), np_giou_loss(self.y_true, self.y_pred).mean(-1), atol=1e-5, rtol=1e-5)
        # other formats give the same values
        xywh = lambda b: np.concatenate([b[..., :2], b[..., 2:] - b[..., :2]], -1)  # noqa: E731
        loss = losses.GIoULoss("xywh")
        self.assertAllClose(loss(xywh(self.y_true), xywh(self.y_pred)), np_giou_loss(self.y_true, self.y_pred).mean(), atol=1e-5, rtol=1e-5)

    def test_ciou_loss(self):
        loss = losses.CIoULoss("xyxy", reduction=None)
        self.assertAllClose(loss(self.y_true, self.y_pred), np_ciou_loss(self.y_true, self.y_pred), atol=1e-4, rtol=1e-4)

    def test_focal_loss(self):
        rng = np.random.default_rng(1)
        y = (rng.uniform(size=(5, 3, 7)) > 0.7).astype("float32")
        logits = rng.normal(size=(5, 3, 7)).astype("float32") * 3
        loss = losses.FocalLoss(alpha=0.3, gamma=1.5, from_logits=True, reduction=None)
        self.assertAllClose(loss(y, logits), np_focal(y, logits.astype(float), 0.3, 1.5), atol=1e-5, rtol=1e-4)
        probs = 1 / (1 + np.exp(-logits.astype(float)))
        loss = losses.FocalLoss(from_logits=False, label_smoothing=0.1, reduction=None)
        self.assertAllClose(loss(y, probs.astype("float32")), np_focal(y, logits.astype(float), 0.25, 2.0, 0.1), atol=1e-4, rtol=1e-3)

    def test_smooth_l1_loss(self):
        rng = np.random.default_rng(2)
        a, b = rng.normal(size=(3, 8)).astype("float32"), rng.normal(size=(3, 8)).astype("float32") * 2
        for cutoff in (1.0, 0.5):
            x = np.abs(b - a)
            per = np.where(x < cutoff, 0.5 * x**2 / cutoff, x - 0.5 * cutoff)
            loss = losses.SmoothL1Loss(l1_cutoff=cutoff, reduction=None)
            self.assertAllClose(loss(a, b), per.mean(-1), atol=1e-5, rtol=1e-5)

    def test_config_and_saving_in_a_model(self):
        for loss in (losses.FocalLoss(alpha=0.4), losses.IoULoss("xywh", mode="quadratic"),
                     losses.GIoULoss("xyxy"), losses.CIoULoss("xyxy", eps=1e-6), losses.SmoothL1Loss(0.5)):
            restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
            self.assertEqual(type(restored), type(loss))
            self.assertEqual(restored.get_config(), loss.get_config())
        inputs = keras.Input((6, 4))
        model = keras.Model(inputs, keras.layers.Dense(4)(inputs))
        model.compile(optimizer="sgd", loss=losses.GIoULoss("xyxy"))
        history = model.fit(self.y_true, self.y_true, epochs=1, verbose=0)
        self.assertTrue(np.isfinite(history.history["loss"][0]))
        path = os.path.join(self.get_temp_dir(), "m.keras")
        model.save(path)
        self.assertIsInstance(keras.saving.load_model(path).loss, losses.GIoULoss)

    def test_gradients_are_finite_for_identical_and_disjoint_boxes(self):
        y = self.y_true[:1, :2].copy()
        pred = y.copy()
        pred[0, 1] += 200
        for loss in (losses.GIoULoss("xyxy"), losses.CIoULoss("xyxy"), losses.IoULoss("xyxy")):
            value = float(np.asarray(loss(y, pred)))
            self.assertTrue(np.isfinite(value), type(loss).__name__)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="Received: mode='cubic'"):
            losses.IoULoss("xyxy", mode="cubic")
        with pytest.raises(ValueError, match="Unknown bounding box format"):
            losses.GIoULoss("xxyy")
        with pytest.raises(ValueError, match="Received: alpha=2"):
            losses.FocalLoss(alpha=2)
        with pytest.raises(ValueError, match="Received: l1_cutoff=0"):
            losses.SmoothL1Loss(l1_cutoff=0)
