import numpy as np

from kerasverse.cv.models.yolo_v8.yolo_v8_label_encoder import YOLOV8LabelEncoder
from kerasverse.testing import TestCase


def _reference(scores, pred, points, labels, gt, mask, num_classes, k, alpha, beta):
    """Plain-numpy task-aligned assignment, one image and one box at a time."""
    batch, num_anchors = scores.shape[:2]
    out_boxes = np.zeros((batch, num_anchors, 4))
    out_classes = np.zeros((batch, num_anchors, num_classes))
    out_fg = np.zeros((batch, num_anchors), bool)
    for b in range(batch):
        boxes = [m for m in range(gt.shape[1]) if mask[b, m]]
        align = np.zeros((gt.shape[1], num_anchors))
        iou = np.zeros((gt.shape[1], num_anchors))
        chosen = np.zeros((gt.shape[1], num_anchors), bool)
        for m in boxes:
            x1, y1, x2, y2 = gt[b, m]
            for n in range(num_anchors):
                px1, py1, px2, py2 = pred[b, n]
                inter = max(0, min(x2, px2) - max(x1, px1)) * max(0, min(y2, py2) - max(y1, py1))
                union = (x2 - x1) * (y2 - y1) + (px2 - px1) * (py2 - py1) - inter
                iou[m, n] = inter / union
                px, py = points[n]
                if x1 < px < x2 and y1 < py < y2:
                    align[m, n] = scores[b, n, int(labels[b, m])] ** alpha * iou[m, n] ** beta
            kth = np.sort(align[m])[::-1][min(k, num_anchors) - 1]
            chosen[m] = (align[m] >= kth) & (align[m] > 0)
        for n in range(num_anchors):
            owners = [m for m in boxes if chosen[m, n]]
            if len(owners) > 1:
                best = max(owners, key=lambda m: iou[m, n])
                for m in owners:
                    chosen[m, n] = m == best
        for n in range(num_anchors):
            owners = [m for m in boxes if chosen[m, n]]
            if not owners:
                continue
            m = owners[0]
            out_fg[b, n] = True
            out_boxes[b, n] = gt[b, m]
            best_align = max(align[m, j] for j in range(num_anchors) if chosen[m, j])
            best_iou = max(iou[m, j] for j in range(num_anchors) if chosen[m, j])
            out_classes[b, n, int(labels[b, m])] = align[m, n] * best_iou / (best_align + 1e-9)
    return out_boxes, out_classes, out_fg


class YOLOV8LabelEncoderTest(TestCase):
    def test_matches_numpy_reference(self):
        rng = np.random.default_rng(3)
        batch, num_anchors, num_gt, num_classes = 2, 64, 4, 3
        grid = (np.arange(8) + 0.5) * 8
        points = np.stack(np.meshgrid(grid, grid), -1).reshape(-1, 2).astype("float32")
        centres = points[None] + rng.uniform(-3, 3, (batch, num_anchors, 2))
        sizes = rng.uniform(6, 30, (batch, num_anchors, 2))
        pred = np.concatenate([centres - sizes / 2, centres + sizes / 2], -1).astype("float32")
        scores = rng.uniform(0.01, 1, (batch, num_anchors, num_classes)).astype("float32")
        corner = rng.uniform(0, 40, (batch, num_gt, 2))
        gt = np.concatenate([corner, corner + rng.uniform(8, 24, (batch, num_gt, 2))], -1).astype("float32")
        labels = rng.integers(0, num_classes, (batch, num_gt)).astype("float32")
        mask = np.array([[True, True, True, False], [True, True, False, False]])
        labels[~mask] = -1
        gt[~mask] = -1
        encoder = YOLOV8LabelEncoder(num_classes, max_anchor_matches=5)
        boxes, classes, fg = encoder(scores, pred, points, labels, gt, mask)
        ref_boxes, ref_classes, ref_fg = _reference(scores, pred, points, labels, gt, mask, num_classes, 5, 0.5, 6.0)
        self.assertAllEqual(fg, ref_fg)
        self.assertGreater(int(ref_fg.sum()), 4)
        fg = np.asarray(fg)
        self.assertAllClose(np.asarray(boxes)[fg], ref_boxes[fg])
        self.assertAllClose(classes, ref_classes, atol=1e-5, rtol=1e-4)

    def test_config_round_trip(self):
        encoder = YOLOV8LabelEncoder(num_classes=4, max_anchor_matches=7, alpha=1.0)
        restored = YOLOV8LabelEncoder.from_config(encoder.get_config())
        self.assertEqual((restored.num_classes, restored.max_anchor_matches, restored.alpha), (4, 7, 1.0))
