"""Test helper: the same evaluation through pycocotools (test-only dependency)."""

import contextlib
import io

import numpy as np


def pycocotools_metrics(gt_boxes, gt_classes, dt_boxes, dt_classes, dt_scores):
    """12 COCOeval numbers. Inputs: lists (one per image) of xywh float64 boxes, classes, scores."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    num_images = len(gt_boxes)
    classes = set()
    for c in list(gt_classes) + list(dt_classes):
        classes.update(int(x) for x in c)
    images = [{"id": i + 1} for i in range(num_images)]
    annotations, results = [], []
    for i in range(num_images):
        for box, cls in zip(gt_boxes[i], gt_classes[i]):
            box = [float(v) for v in box]
            annotations.append({"id": len(annotations) + 1, "image_id": i + 1, "category_id": int(cls) + 1,
                                "bbox": box, "area": box[2] * box[3], "iscrowd": 0})
        for box, cls, score in zip(dt_boxes[i], dt_classes[i], dt_scores[i]):
            results.append({"image_id": i + 1, "category_id": int(cls) + 1,
                            "bbox": [float(v) for v in box], "score": float(score)})
    dataset = {"images": images, "annotations": annotations,
               "categories": [{"id": c + 1} for c in sorted(classes)]}
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = dataset
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(results) if results else None
        if coco_dt is None:
            return None
        evaluator = COCOeval(coco_gt, coco_dt, "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return np.asarray(evaluator.stats)
