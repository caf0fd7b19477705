"""kerasverse.cv.models: image backbones and tasks in the keras_hub shape.

Backbones (`Backbone` subclasses; builtin configurations by name with
`from_preset("resnet50")`, random weights): `ResNetBackbone` (v1 and v2),
`MobileNetV3Backbone`, `CSPDarkNetBackbone` (YOLOv8's).
Tasks (`Task` subclasses): `ImageClassifier`, `RetinaNet`, `YOLOV8Detector`,
`DeepLabV3Plus`.
"""

from kerasverse.cv.models.csp_darknet.csp_darknet_backbone import CSPDarkNetBackbone
from kerasverse.cv.models.deeplab_v3_plus.deeplab_v3_plus import DeepLabV3Plus
from kerasverse.cv.models.deeplab_v3_plus.spatial_pyramid_pooling import (
    SpatialPyramidPooling,
)
from kerasverse.cv.models.image_classifier import ImageClassifier
from kerasverse.cv.models.mobilenet_v3.mobilenet_v3_backbone import MobileNetV3Backbone
from kerasverse.cv.models.resnet.resnet_backbone import ResNetBackbone
from kerasverse.cv.models.retinanet.retinanet import RetinaNet
from kerasverse.cv.models.shapes_dataset import make_shapes_dataset
from kerasverse.cv.models.yolo_v8.yolo_v8_detector import YOLOV8Detector
from kerasverse.cv.models.yolo_v8.yolo_v8_label_encoder import YOLOV8LabelEncoder

__all__ = [
    "CSPDarkNetBackbone",
    "DeepLabV3Plus",
    "ImageClassifier",
    "MobileNetV3Backbone",
    "ResNetBackbone",
    "SpatialPyramidPooling",
    "RetinaNet",
    "YOLOV8Detector",
    "YOLOV8LabelEncoder",
    "make_shapes_dataset",
]
