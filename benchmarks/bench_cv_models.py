"""YOLOv8-S forward latency: kerasverse on JAX and PyTorch, keras_cv beside it.

The model is `YOLOV8Detector` on the `yolo_v8_s_backbone` configuration
(CSPDarkNet channels 64-512, depths 1-2-2-1, FPN depth 1, 80 classes),
random weights, one 640x640 image, the raw head outputs (no NMS). JAX runs
the jitted stateless call; PyTorch runs eagerly under `torch.no_grad()`.
Each backend runs in its own interpreter (the Keras backend is fixed per
process); the peer (keras_cv's YOLOV8Detector, same configuration, same
backend) runs in the same process as ours when keras_cv is installed.

Run: `.venv-bench/bin/python benchmarks/bench_cv_models.py [--image-size 640] [--repeat 5]`
(`--python .venv/bin/python` runs the workers in an interpreter that has torch).
"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import harness  # noqa: E402

CHANNELS = [64, 128, 256, 512]
DEPTHS = [1, 2, 2, 1]
NUM_CLASSES = 80


def _forward_fn(model, images):
    import keras

    if keras.config.backend() == "jax":
        import jax

        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        call = jax.jit(lambda t, n, x: model.stateless_call(t, n, x, training=False)[0])
        return lambda: jax.block_until_ready(call(trainable, non_trainable, images))
    import torch

    tensor = torch.as_tensor(images)

    def run():
        with torch.no_grad():
            return model(tensor, training=False)

    return run


def _ours(image_size):
    from kerasverse.cv.models import CSPDarkNetBackbone
    from kerasverse.cv.models import YOLOV8Detector

    backbone = CSPDarkNetBackbone.from_preset("yolo_v8_s_backbone", image_shape=(image_size, image_size, 3))
    return YOLOV8Detector(backbone, NUM_CLASSES, "xyxy", fpn_depth=1)


def _peer(image_size):
    import keras_cv

    backbone = keras_cv.models.YOLOV8Backbone(
        stackwise_channels=CHANNELS, stackwise_depth=DEPTHS, include_rescaling=False,
        input_shape=(image_size, image_size, 3),
    )
    return keras_cv.models.YOLOV8Detector(
        num_classes=NUM_CLASSES, bounding_box_format="xyxy", backbone=backbone, fpn_depth=1
    )


def worker(image_size, repeat):
    import numpy as np

    images = np.random.default_rng(0).uniform(0, 1, (1, image_size, image_size, 3)).astype("float32")
    model = _ours(image_size)
    result = {"params": model.count_params(), "ours": harness.measure(_forward_fn(model, images), repeat=repeat).median_s}
    try:
        peer = _peer(image_size)
        result["peer"] = harness.measure(_forward_fn(peer, images), repeat=repeat).median_s
        result["peer_params"] = peer.count_params()
    except Exception as error:  # Not installed or not runnable on this backend.
        result["peer"] = None
        result["peer_error"] = f"{type(error).__name__}: {str(error)[:80]}"
    print("RESULT " + json.dumps(result))


def main(image_size=640, repeat=5, backends=("jax", "torch"), python=None):
    rows, notes = [], []
    for backend in backends:
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        command = [python or sys.executable, os.path.abspath(__file__), "--worker", "--image-size", str(image_size), "--repeat", str(repeat)]
        process = subprocess.run(command, capture_output=True, text=True, env=env)
        lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
        if not lines:
            notes.append(f"{backend}: failed: {process.stderr.strip().splitlines()[-1:]}")
            continue
        result = json.loads(lines[-1][len("RESULT "):])
        row = harness.comparison_row(
            f"YOLOv8-S forward, 1x{image_size}x{image_size}, {backend}", result["ours"], result["peer"], unit="s"
        )
        rows.append(row)
        notes.append(f"{backend}: kerasverse {result['params']:,} parameters"
                     + (f", keras_cv {result['peer_params']:,}" if result.get("peer_params") else
                        f"; keras_cv n/a ({result.get('peer_error')})"))
    print(f"YOLOv8-S forward latency, median of {repeat}, {os.cpu_count()} CPU cores (ratio = peer / ours)")
    print(harness.format_table(rows, ["case", "kerasverse", "peer", "ratio"]))
    for note in notes:
        print(note)
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--image-size", type=int, default=640)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="jax,torch")
    parser.add_argument("--python", default=None, help="interpreter for the workers (e.g. one with torch)")
    args = parser.parse_args()
    if args.worker:
        worker(args.image_size, args.repeat)
    else:
        main(args.image_size, args.repeat, args.backends.split(","), args.python)
