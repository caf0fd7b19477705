"""`compute_coco_metrics`: the 12 COCO box numbers, identical to pycocotools' COCOeval.

Vectorised numpy. The matching of COCOeval (greedy over detections in score
order, each taking the unmatched ground truth of highest IoU >= threshold,
non-ignored ground truth first, the last of equal IoUs) is sequential per
(image, class); here it runs for all (image, class) groups, IoU thresholds
and area ranges at once, one step per detection rank. Groups are bucketed
by their number of boxes so padding stays small.
"""

import numpy as np

from kerasverse.cv.bounding_box.dense import _to_numpy
from kerasverse.cv.bounding_box.dense import to_dense
from kerasverse.cv.bounding_box.formats import check_format

METRIC_NAMES = (
    "MaP",
    "MaP@[IoU=50]",
    "MaP@[IoU=75]",
    "MaP@[area=small]",
    "MaP@[area=medium]",
    "MaP@[area=large]",
    "Recall@[max_detections=1]",
    "Recall@[max_detections=10]",
    "Recall@[max_detections=100]",
    "Recall@[area=small]",
    "Recall@[area=medium]",
    "Recall@[area=large]",
)

IOU_THRESHOLDS = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)
RECALL_THRESHOLDS = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)
MAX_DETECTIONS = (1, 10, 100)
AREA_RANGES = np.array([[0, 1e5**2], [0, 32**2], [32**2, 96**2], [96**2, 1e5**2]], dtype=float)


def compute_coco_metrics(y_true, y_pred, bounding_box_format="xyxy", num_classes=None):
    """The 12 COCO bounding-box numbers for a set of images.

    Same numbers as pycocotools' `COCOeval(..., "bbox")` + `evaluate()` +
    `accumulate()` + `summarize()` (with every image of the batch in
    `imgIds`, ground truth `area = w * h`, `iscrowd = 0`): mean AP over IoU
    0.50:0.95, AP@50, AP@75, AP small/medium/large, AR with 1/10/100
    detections, AR small/medium/large. A number with nothing to average
    (e.g. no ground truth of that size) is `-1`, as in pycocotools.

    Args:
        y_true: dict of `"boxes"` `(B, N, 4)` and `"classes"` `(B, N)`
            (class `-1` = padding), or lists with one array per image.
        y_pred: dict of `"boxes"`, `"classes"` and `"confidence"`, same
            layout; optional `"num_detections"` `(B,)` masks the tail.
        bounding_box_format: format of both box sets.
        num_classes: optional; class ids of `y_true` outside
            `[0, num_classes)` raise a `ValueError`.

    Returns:
        dict from the 12 names in `METRIC_NAMES` to floats.

    Example:

    >>> import numpy as np
    >>> y_true = {"boxes": np.array([[[0, 0, 50, 50]]], "float32"), "classes": np.array([[0]])}
    >>> y_pred = {"boxes": np.array([[[0, 0, 50, 45]]], "float32"), "classes": np.array([[0]]),
    ...           "confidence": np.array([[0.9]])}
    >>> metrics = compute_coco_metrics(y_true, y_pred)
    >>> round(metrics["MaP@[IoU=50]"], 6), metrics["MaP@[area=small]"]
    (1.0, -1.0)
    """
    gt = _flatten(y_true, bounding_box_format, "y_true", with_scores=False)
    dt = _flatten(y_pred, bounding_box_format, "y_pred", with_scores=True)
    if num_classes is not None:
        bad = (gt["cls"] < 0) | (gt["cls"] >= num_classes)
        if bad.any():
            raise ValueError(
                f"`y_true['classes']` holds ids outside [0, {num_classes}). "
                f"Received: {sorted(set(gt['cls'][bad].tolist()))[:10]}. Use -1 for padding."
            )
    return _evaluate(gt, dt)


def _flatten(data, bounding_box_format, name, with_scores):
    """One row per real box: image index, class, xywh (float64), area, score."""
    bounding_box_format = check_format(bounding_box_format)
    if not isinstance(data, dict) or "boxes" not in data or "classes" not in data:
        raise ValueError(
            f"`{name}` must be a dict with 'boxes' and 'classes'"
            + (" and 'confidence'" if with_scores else "")
            + f". Received: {sorted(data) if isinstance(data, dict) else type(data).__name__}."
        )
    if with_scores and "confidence" not in data:
        raise ValueError(f"`{name}` needs a 'confidence' key with the detection scores. Received: {sorted(data)}.")
    keys = ["boxes", "classes"] + (["confidence"] if with_scores else [])
    if isinstance(data["boxes"], (list, tuple)):
        data = to_dense({k: data[k] for k in keys})
    arrays = {k: _to_numpy(data[k]) for k in keys}
    boxes, classes = arrays["boxes"].astype(np.float64), arrays["classes"]
    if boxes.ndim != 3 or boxes.shape[-1] != 4 or classes.shape != boxes.shape[:2]:
        raise ValueError(
            f"`{name}` must hold boxes (batch, num_boxes, 4) and classes (batch, num_boxes). "
            f"Received: boxes.shape={boxes.shape}, classes.shape={classes.shape}."
        )
    valid = classes != -1
    if "num_detections" in data:
        counts = _to_numpy(data["num_detections"]).reshape(-1)
        valid &= np.arange(classes.shape[1])[None, :] < counts[:, None]
    if bounding_box_format.startswith("rel_"):
        raise ValueError(
            "COCO metrics need absolute pixel boxes (areas decide small/medium/large). "
            f"Received: bounding_box_format={bounding_box_format!r}. Convert with "
            "`bounding_box.convert_format(..., images=...)` first."
        )
    xywh = _to_xywh(boxes, bounding_box_format)
    image, position = np.nonzero(valid)
    out = {
        "img": image.astype(np.int64),
        "pos": position.astype(np.int64),
        "cls": classes[valid].astype(np.int64),
        "xywh": xywh[valid],
        "num_images": boxes.shape[0],
    }
    out["area"] = out["xywh"][:, 2] * out["xywh"][:, 3]
    if with_scores:
        out["score"] = arrays["confidence"][valid].astype(np.float64)
    return out


def _to_xywh(boxes, fmt):
    a, b, c, d = np.moveaxis(boxes, -1, 0)
    if fmt == "xyxy":
        return np.stack([a, b, c - a, d - b], -1)
    if fmt == "yxyx":
        return np.stack([b, a, d - b, c - a], -1)
    if fmt == "xywh":
        return boxes
    if fmt == "center_xywh":
        return np.stack([a - c / 2, b - d / 2, c, d], -1)
    if fmt == "center_yxhw":
        return np.stack([b - d / 2, a - c / 2, d, c], -1)
    raise ValueError(f"Unsupported format for COCO metrics: {fmt!r}.")


def _iou(dt, gt):
    """pycocotools' bbox IoU (maskApi.c `bbIou`, iscrowd=0): dt (..., D, 4), gt (..., M, 4) xywh."""
    dx, dy, dw, dh = (dt[..., :, None, i] for i in range(4))
    gx, gy, gw, gh = (gt[..., None, :, i] for i in range(4))
    w = np.minimum(dx + dw, gx + gw) - np.maximum(dx, gx)
    h = np.minimum(dy + dh, gy + gh) - np.maximum(dy, gy)
    inter = np.where((w > 0) & (h > 0), w * h, 0.0)
    union = dw * dh + gw * gh - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(inter > 0, inter / union, 0.0)


def _evaluate(gt, dt):
    num_thresholds, num_areas = len(IOU_THRESHOLDS), len(AREA_RANGES)
    max_det = MAX_DETECTIONS[-1]
    num_classes = int(max(gt["cls"].max(initial=-1), dt["cls"].max(initial=-1))) + 1
    num_images = max(gt["num_images"], dt["num_images"])

    # Detections: per (image, class) by descending score (stable), top 100.
    order = np.lexsort((dt["pos"], -dt["score"], dt["cls"], dt["img"]))
    dt = {k: (v[order] if isinstance(v, np.ndarray) else v) for k, v in dt.items()}
    dt_group = dt["img"] * num_classes + dt["cls"]
    dt["rank"] = _rank_in_group(dt_group)
    keep = dt["rank"] < max_det
    dt = {k: (v[keep] if isinstance(v, np.ndarray) else v) for k, v in dt.items()}
    dt_group = dt_group[keep]
    gt_order = np.lexsort((gt["pos"], gt["cls"], gt["img"]))
    gt = {k: (v[gt_order] if isinstance(v, np.ndarray) else v) for k, v in gt.items()}
    gt_group = gt["img"] * num_classes + gt["cls"]
    gt["rank"] = _rank_in_group(gt_group)

    area_lo, area_hi = AREA_RANGES[:, 0], AREA_RANGES[:, 1]
    gt_ignore = (gt["area"][None, :] < area_lo[:, None]) | (gt["area"][None, :] > area_hi[:, None])  # (A, nG)
    dt_out_of_range = (dt["area"][None, :] < area_lo[:, None]) | (dt["area"][None, :] > area_hi[:, None])

    n_dt = len(dt_group)
    dt_matched = np.zeros((num_areas, num_thresholds, n_dt), bool)
    dt_ignored = np.zeros((num_areas, num_thresholds, n_dt), bool)

    # Groups that have both detections and ground truth need matching.
    groups, dt_start, dt_count = np.unique(dt_group, return_index=True, return_counts=True)
    g_groups, g_start, g_count = np.unique(gt_group, return_index=True, return_counts=True)
    both, dt_idx, gt_idx = np.intersect1d(groups, g_groups, assume_unique=True, return_indices=True)
    if len(both):
        d_start, d_count = dt_start[dt_idx], dt_count[dt_idx]
        m_start, m_count = g_start[gt_idx], g_count[gt_idx]
        bucket = _bucket(d_count) * 64 + _bucket(m_count)
        for b in np.unique(bucket):
            sel = bucket == b
            _match_bucket(
                d_start[sel], d_count[sel], m_start[sel], m_count[sel],
                dt, gt, gt_ignore, dt_matched, dt_ignored,
            )
    dt_ignored |= (~dt_matched) & dt_out_of_range[:, None, :]

    # Accumulate: per class, detections by (-score, image, rank).
    acc = np.lexsort((dt["rank"], dt["img"], -dt["score"], dt["cls"]))
    tp_all = (dt_matched & ~dt_ignored)[:, :, acc]
    fp_all = (~dt_matched & ~dt_ignored)[:, :, acc]
    cls_sorted, rank_sorted = dt["cls"][acc], dt["rank"][acc]
    npig = np.zeros((num_areas, max(num_classes, 1)), np.int64)
    for a in range(num_areas):
        npig[a] = np.bincount(gt["cls"][~gt_ignore[a]], minlength=max(num_classes, 1))[: max(num_classes, 1)]
    precision = -np.ones((num_thresholds, len(RECALL_THRESHOLDS), num_classes, num_areas, len(MAX_DETECTIONS)))
    recall = -np.ones((num_thresholds, num_classes, num_areas, len(MAX_DETECTIONS)))
    class_bounds = np.searchsorted(cls_sorted, np.arange(num_classes + 1))
    eps = np.spacing(1)
    for k in range(num_classes):
        lo, hi = class_bounds[k], class_bounds[k + 1]
        if not npig[:, k].any():
            continue
        tps_k, fps_k, rank_k = tp_all[:, :, lo:hi], fp_all[:, :, lo:hi], rank_sorted[lo:hi]
        for m_index, m in enumerate(MAX_DETECTIONS):
            take = np.nonzero(rank_k < m)[0]
            if m_index == len(MAX_DETECTIONS) - 1:
                tp_sum = np.cumsum(tps_k, axis=-1, dtype=np.int32).astype(np.float64)
                fp_sum = np.cumsum(fps_k, axis=-1, dtype=np.int32).astype(np.float64)
            else:
                tp_sum = np.cumsum(tps_k[:, :, take], axis=-1, dtype=np.int32).astype(np.float64)
                fp_sum = np.cumsum(fps_k[:, :, take], axis=-1, dtype=np.int32).astype(np.float64)
            nd = tp_sum.shape[-1]
            for a in range(num_areas):
                if npig[a, k] == 0:
                    continue
                if nd == 0:
                    recall[:, k, a, m_index] = 0
                    precision[:, :, k, a, m_index] = 0
                    continue
                rc = tp_sum[a] / npig[a, k]
                pr = tp_sum[a] / (fp_sum[a] + tp_sum[a] + eps)
                recall[:, k, a, m_index] = rc[:, -1]
                pr = np.maximum.accumulate(pr[:, ::-1], axis=-1)[:, ::-1]
                for t in range(num_thresholds):
                    inds = np.searchsorted(rc[t], RECALL_THRESHOLDS, side="left")
                    q = np.zeros(len(RECALL_THRESHOLDS))
                    inside = inds < nd
                    q[inside] = pr[t, inds[inside]]
                    precision[t, :, k, a, m_index] = q
    del num_images
    return _summarize(precision, recall)


def _rank_in_group(group):
    """Position of each element within its run of equal (sorted) group ids."""
    if len(group) == 0:
        return np.zeros(0, np.int64)
    starts = np.r_[0, np.nonzero(np.diff(group))[0] + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(group)]))
    return np.arange(len(group)) - run_start


def _bucket(counts):
    return np.ceil(np.log2(np.maximum(counts, 1))).astype(np.int64)


def _match_bucket(d_start, d_count, m_start, m_count, dt, gt, gt_ignore, dt_matched, dt_ignored):
    """COCOeval's greedy matching for a bucket of (image, class) groups."""
    by_count = np.argsort(-d_count, kind="stable")  # groups with more detections first
    d_start, d_count, m_start, m_count = d_start[by_count], d_count[by_count], m_start[by_count], m_count[by_count]
    num_groups = len(d_start)
    max_d, max_m = int(d_count.max()), int(m_count.max())
    d_index = d_start[:, None] + np.arange(max_d)[None, :]
    d_valid = np.arange(max_d)[None, :] < d_count[:, None]
    d_index = np.where(d_valid, d_index, 0)
    m_index = m_start[:, None] + np.arange(max_m)[None, :]
    m_valid = np.arange(max_m)[None, :] < m_count[:, None]
    m_index = np.where(m_valid, m_index, 0)
    ious = _iou(dt["xywh"][d_index], gt["xywh"][m_index])  # (G, D, M)
    ignore = gt_ignore[:, m_index]  # (A, G, M)
    num_areas, num_thresholds = gt_ignore.shape[0], len(IOU_THRESHOLDS)
    thresholds = np.minimum(IOU_THRESHOLDS, 1 - 1e-10)[None, :, None, None]
    gt_taken = np.zeros((num_areas, num_thresholds, num_groups, max_m), bool)
    reverse = max_m - 1
    for d in range(max_d):
        n = int(np.count_nonzero(d_count > d))  # active groups form a prefix
        iou_d = ious[:n, d, :][None, None]  # (1, 1, n, M)
        taken = gt_taken[:, :, :n]
        candidate = (iou_d >= thresholds) & ~taken & m_valid[None, None, :n]
        ign = ignore[:, None, :n]
        normal = candidate & ~ign
        ignored = candidate & ign
        has_normal = normal.any(-1)
        has_ignored = ignored.any(-1)
        key_normal = np.where(normal, iou_d, -1.0)[..., ::-1]
        key_ignored = np.where(ignored, iou_d, -1.0)[..., ::-1]
        pick = np.where(has_normal, reverse - key_normal.argmax(-1), reverse - key_ignored.argmax(-1))
        matched = has_normal | has_ignored  # (A, T, n)
        a_idx, t_idx, g_idx = np.nonzero(matched)
        m_idx = pick[a_idx, t_idx, g_idx]
        gt_taken[a_idx, t_idx, g_idx, m_idx] = True
        flat_dt = d_index[g_idx, d]
        dt_matched[a_idx, t_idx, flat_dt] = True
        dt_ignored[a_idx, t_idx, flat_dt] = ignore[a_idx, g_idx, m_idx]


def _summarize(precision, recall):
    def average(values):
        values = values[values > -1]
        return float(np.mean(values)) if values.size else -1.0

    t50 = np.where(IOU_THRESHOLDS == 0.5)[0]
    t75 = np.where(IOU_THRESHOLDS == 0.75)[0]
    stats = [
        average(precision[:, :, :, 0, 2]),
        average(precision[t50][:, :, :, 0, 2]),
        average(precision[t75][:, :, :, 0, 2]),
        average(precision[:, :, :, 1, 2]),
        average(precision[:, :, :, 2, 2]),
        average(precision[:, :, :, 3, 2]),
        average(recall[:, :, 0, 0]),
        average(recall[:, :, 0, 1]),
        average(recall[:, :, 0, 2]),
        average(recall[:, :, 1, 2]),
        average(recall[:, :, 2, 2]),
        average(recall[:, :, 3, 2]),
    ]
    return dict(zip(METRIC_NAMES, stats))
