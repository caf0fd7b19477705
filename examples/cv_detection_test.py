"""A shortened run of examples/cv_detection.py (slow: minutes on 2 CPU cores).

The full run (2,000 training images of 128x128, 12 epochs) reaches held-out
mAP@50 of 0.975 (YOLOV8Detector) and 0.99 (RetinaNet) on JAX; this shortened
run (2,000 images of 64x64, 10 epochs, batch 32) asserts a lower bar of 0.5
for each model.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import cv_detection  # noqa: E402


@pytest.mark.slow
@pytest.mark.parametrize("name", ["yolo_v8", "retinanet"])
def test_shortened_training_reaches_map50(name, capsys):
    _, curve = cv_detection.train(name, epochs=10, num_train=2000, num_val=200, image_size=64, batch_size=32)
    assert len(curve) == 10
    assert curve[-1] >= 0.5, curve
    assert f"{name}: final held-out mAP@50" in capsys.readouterr().out
