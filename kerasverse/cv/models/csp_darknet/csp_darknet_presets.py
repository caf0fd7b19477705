"""Constructor arguments of the YOLOv8 CSPDarkNet configurations (no weights)."""

BACKBONE_PRESETS = {
    "yolo_v8_tiny_backbone": {"stackwise_channels": [8, 16, 32, 64], "stackwise_depth": [1, 1, 1, 1]},
    "yolo_v8_xs_backbone": {"stackwise_channels": [32, 64, 128, 256], "stackwise_depth": [1, 2, 2, 1]},
    "yolo_v8_s_backbone": {"stackwise_channels": [64, 128, 256, 512], "stackwise_depth": [1, 2, 2, 1]},
    "yolo_v8_m_backbone": {"stackwise_channels": [96, 192, 384, 576], "stackwise_depth": [2, 4, 4, 2]},
    "yolo_v8_l_backbone": {"stackwise_channels": [128, 256, 512, 512], "stackwise_depth": [3, 6, 6, 3]},
    "yolo_v8_xl_backbone": {"stackwise_channels": [160, 320, 640, 640], "stackwise_depth": [3, 6, 6, 3]},
}
