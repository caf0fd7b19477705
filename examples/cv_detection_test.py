"""A shortened run of examples/cv_detection.py (slow: minutes on 2 CPU cores).

The full run (3,000 training images, 20 epochs) reaches held-out mAP@50 of
0.87 (YOLOV8Detector) and 0.90 (RetinaNet) on JAX; this shortened run
(2,000 images, 10 epochs) asserts a lower bar of 0.5 for each model.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import cv_detection  # noqa: E402


@pytest.mark.slow
@pytest.mark.parametrize("name", ["yolo_v8", "retinanet"])
def test_shortened_training_reaches_map50(name, capsys):
    _, curve = cv_detection.train(name, epochs=10, num_train=2000, num_val=200)
    assert len(curve) == 10
    assert curve[-1] >= 0.5, curve
    assert f"{name}: final held-out mAP@50" in capsys.readouterr().out
