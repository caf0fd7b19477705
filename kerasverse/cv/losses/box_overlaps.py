"""Element-wise IoU and GIoU of matching boxes (used by the box regression losses)."""

from keras import ops

from kerasverse.cv.bounding_box.converters import convert_format


def elementwise_iou_and_giou(y_true, y_pred, bounding_box_format, image_shape=None, eps=1e-7):
    """IoU and GIoU (Rezatofighi et al., 2019) of `y_true[i]` vs `y_pred[i]`, shape `(...)`."""
    work = "rel_xyxy" if bounding_box_format.startswith("rel_") and image_shape is None else "xyxy"
    y_true = convert_format(y_true, bounding_box_format, work, image_shape=image_shape)
    y_pred = convert_format(y_pred, bounding_box_format, work, image_shape=image_shape)
    inter_w = ops.maximum(ops.minimum(y_true[..., 2], y_pred[..., 2]) - ops.maximum(y_true[..., 0], y_pred[..., 0]), 0)
    inter_h = ops.maximum(ops.minimum(y_true[..., 3], y_pred[..., 3]) - ops.maximum(y_true[..., 1], y_pred[..., 1]), 0)
    inter = inter_w * inter_h
    area_true = (y_true[..., 2] - y_true[..., 0]) * (y_true[..., 3] - y_true[..., 1])
    area_pred = (y_pred[..., 2] - y_pred[..., 0]) * (y_pred[..., 3] - y_pred[..., 1])
    union = area_true + area_pred - inter
    iou = inter / (union + eps)
    hull_w = ops.maximum(y_true[..., 2], y_pred[..., 2]) - ops.minimum(y_true[..., 0], y_pred[..., 0])
    hull_h = ops.maximum(y_true[..., 3], y_pred[..., 3]) - ops.minimum(y_true[..., 1], y_pred[..., 1])
    hull = hull_w * hull_h
    giou = iou - (hull - union) / (hull + eps)
    return iou, giou
