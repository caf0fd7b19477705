"""kerasverse.cv vs pycocotools, core Keras and keras-cv 0.9, on the same data.

1. COCO bbox evaluation of 5,000 images (~20 ground-truth boxes and ~30
   detections each, 10 classes): `compute_coco_metrics` vs pycocotools
   `evaluate` + `accumulate`. The 12 numbers are checked identical first.
2. RandAugment, batch 32 of 224x224x3, 2 ops, magnitude 0.5, on JAX under
   `jax.jit` (`layer.stateless_call`, seed state threaded so every call draws
   new randomness): ours vs `keras.layers.RandAugment`; keras-cv 0.9 runs in
   `tf.function` in a subprocess (TensorFlow backend).
3. Mosaic on the same batch with boxes: ours (JAX jit) vs keras-cv 0.9.
4. RandAugment on torch (eager, Keras' default there), ours vs core Keras,
   in a subprocess, with torch's default threads and with one thread (on a
   loaded machine torch's spinning OpenMP threads can be much slower).

Run: `.venv-bench/bin/python benchmarks/bench_cv.py` (`--quick` for a
smaller COCO set). Throughputs: ratio = ours / peer; times: peer / ours.
"""

import json
import os
import subprocess
import sys
import textwrap
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from benchmarks import harness  # noqa: E402

BATCH, SIZE = 32, 224


def coco_data(num_images, seed=0, num_classes=10, image_size=640):
    rng = np.random.default_rng(seed)
    gt_b, gt_c, dt_b, dt_c, dt_s = [], [], [], [], []
    for _ in range(num_images):
        n_gt, n_dt = rng.poisson(20), rng.poisson(30)
        wh = rng.choice([16.0, 48.0, 160.0], size=(n_gt, 1)) * rng.uniform(0.5, 1.5, size=(n_gt, 2))
        xy = rng.uniform(0, image_size - 200, size=(n_gt, 2))
        g = np.concatenate([xy, xy + wh], -1).astype("float32")
        gc = rng.integers(0, num_classes, n_gt)
        n_copy = min(n_dt, n_gt)
        pick = rng.integers(0, max(n_gt, 1), n_copy)
        copies = g[pick] + rng.normal(0, 5, (n_copy, 4)) if n_gt else np.zeros((0, 4))
        rxy = rng.uniform(0, image_size - 200, size=(n_dt - n_copy, 2))
        rwh = rng.uniform(8, 200, size=(n_dt - n_copy, 2))
        d = np.concatenate([copies, np.concatenate([rxy, rxy + rwh], -1)]).astype("float32")
        d[:, 2:] = np.maximum(d[:, 2:], d[:, :2] + 1)
        dc = np.concatenate([gc[pick] if n_gt else np.zeros(0, int), rng.integers(0, num_classes, n_dt - n_copy)])
        dt_s.append(rng.uniform(size=n_dt).astype("float32"))
        gt_b.append(g), gt_c.append(gc), dt_b.append(d), dt_c.append(dc)
    return gt_b, gt_c, dt_b, dt_c, dt_s


def bench_coco(num_images):
    from kerasverse.cv.metrics import METRIC_NAMES
    from kerasverse.cv.metrics import compute_coco_metrics

    gt_b, gt_c, dt_b, dt_c, dt_s = coco_data(num_images)
    y_true = {"boxes": gt_b, "classes": gt_c}
    y_pred = {"boxes": dt_b, "classes": dt_c, "confidence": dt_s}
    ours = compute_coco_metrics(y_true, y_pred)
    ours_numbers = np.array([ours[n] for n in METRIC_NAMES])
    peer, peer_note = None, ""
    try:
        import contextlib
        import io

        evaluator = _pycocotools_evaluator(gt_b, gt_c, dt_b, dt_c, dt_s)
        with contextlib.redirect_stdout(io.StringIO()):
            start = time.perf_counter()
            evaluator.evaluate()
            evaluator.accumulate()
            seconds = time.perf_counter() - start  # pycocotools is slow: one timed run
            evaluator.summarize()
        difference = np.abs(np.asarray(evaluator.stats) - ours_numbers).max()
        print(f"COCO: max |ours - pycocotools| over the 12 numbers = {difference:.2e}", flush=True)
        assert difference <= 1e-6, "the 12 COCO numbers differ from pycocotools"
        peer = harness.Timing("pycocotools evaluate+accumulate (1 run)", seconds, [seconds])
    except ImportError as error:
        peer_note = f" (pycocotools n/a: {error})"
    timing = harness.measure(lambda: compute_coco_metrics(y_true, y_pred), repeat=3, warmup=1)
    print(f"COCO numbers (ours): {np.round(ours_numbers, 4).tolist()}{peer_note}", flush=True)
    return harness.comparison_row(f"COCO eval, {num_images} images, 10 classes", timing, peer)


def _pycocotools_evaluator(gt_b, gt_c, dt_b, dt_c, dt_s, build_only=False):
    import contextlib
    import io

    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    def xywh(b):
        b = b.astype(np.float64)
        return np.concatenate([b[:, :2], b[:, 2:] - b[:, :2]], -1)

    annotations, results = [], []
    for i, (g, gc, d, dc, ds) in enumerate(zip(gt_b, gt_c, dt_b, dt_c, dt_s)):
        for box, cls in zip(xywh(g).tolist(), gc.tolist()):
            annotations.append({"id": len(annotations) + 1, "image_id": i + 1, "category_id": cls + 1,
                                "bbox": box, "area": box[2] * box[3], "iscrowd": 0})
        for box, cls, score in zip(xywh(d).tolist(), dc.tolist(), ds.tolist()):
            results.append({"image_id": i + 1, "category_id": cls + 1, "bbox": box, "score": score})
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = {"images": [{"id": i + 1} for i in range(len(gt_b))], "annotations": annotations,
                           "categories": [{"id": c + 1} for c in range(10)]}
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(results)
    return COCOeval(coco_gt, coco_dt, "bbox")


def _jax_images_per_second(layer, data, repeat=5):
    import jax

    layer.build(jax.tree_util.tree_map(lambda x: x.shape, data) if isinstance(data, dict) else data.shape)
    state = [v.value for v in layer.non_trainable_variables]

    @jax.jit
    def step(state, data):
        return layer.stateless_call([], state, data, training=True)

    holder = {"state": state}

    def run():
        out, holder["state"] = step(holder["state"], data)
        jax.block_until_ready(out)

    first, state_after = step(state, data)
    second, _ = step(state_after, data)
    first_images = first["images"] if isinstance(first, dict) else first
    second_images = second["images"] if isinstance(second, dict) else second
    assert not np.allclose(np.asarray(first_images), np.asarray(second_images)), "no new randomness per call"
    timing = harness.measure(run, repeat=repeat, warmup=1)
    return BATCH / timing.median_s


KERAS_CV_SCRIPT = textwrap.dedent("""
    import os, sys, time, json
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np, tensorflow as tf, keras_cv
    which = sys.argv[1]
    rng = np.random.default_rng(0)
    images = tf.constant(rng.uniform(0, 255, (32, 224, 224, 3)).astype("float32"))
    if which == "randaugment":
        layer = keras_cv.layers.RandAugment(value_range=(0, 255), augmentations_per_image=2, magnitude=0.5)
        data = images
    else:
        layer = keras_cv.layers.Mosaic(bounding_box_format="xyxy")
        boxes = np.tile(np.array([[10, 10, 100, 100], [50, 60, 200, 210]], "float32"), (32, 1, 1))
        data = {"images": images, "bounding_boxes": {"boxes": tf.constant(boxes), "classes": tf.constant(np.ones((32, 2), "float32"))}}
    fn = tf.function(lambda d: layer(d, training=True), jit_compile=False)
    fn(data)
    runs = []
    for _ in range(5):
        t = time.perf_counter(); out = fn(data); _ = (out["images"] if isinstance(out, dict) else out).numpy(); runs.append(time.perf_counter() - t)
    print(json.dumps(32 / float(np.median(runs))))
""")


def keras_cv_images_per_second(which):
    try:
        result = subprocess.run([sys.executable, "-c", KERAS_CV_SCRIPT, which], capture_output=True, text=True,
                                timeout=900)
    except Exception as error:  # noqa: BLE001
        return None, f"{type(error).__name__}"
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["failed"])[-1]
        return None, last[:120]
    return float(result.stdout.strip().splitlines()[-1]), ""


TORCH_SCRIPT = textwrap.dedent("""
    import os, sys, time, json
    os.environ["KERAS_BACKEND"] = "torch"
    sys.path.insert(0, sys.argv[3])
    import numpy as np, torch, keras
    from kerasverse.cv import layers
    if sys.argv[2] != "default":
        torch.set_num_threads(int(sys.argv[2]))
    images = torch.tensor(np.random.default_rng(0).uniform(0, 255, (32, 224, 224, 3)).astype("float32"))
    if sys.argv[1] == "ours":
        layer = layers.RandAugment(value_range=(0, 255), augmentations_per_image=2, magnitude=0.5, seed=1)
        repeat = 5
    else:
        layer = keras.layers.RandAugment(value_range=(0, 255), num_ops=2, factor=0.5, seed=1)
        repeat = 2
    first = layer(images)
    assert not np.allclose(np.asarray(first), np.asarray(layer(images))), "no new randomness per call"
    runs = []
    for _ in range(repeat):
        t = time.perf_counter(); layer(images); runs.append(time.perf_counter() - t)
    print(json.dumps([32 / float(np.median(runs)), torch.get_num_threads()]))
""")


def torch_images_per_second(which, threads):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        result = subprocess.run([sys.executable, "-c", TORCH_SCRIPT, which, threads, root], capture_output=True,
                                text=True, timeout=900)
    except Exception as error:  # noqa: BLE001
        return None, 0, f"{type(error).__name__}"
    if result.returncode != 0:
        return None, 0, ((result.stderr.strip().splitlines() or ["failed"])[-1])[:120]
    value, used = json.loads(result.stdout.strip().splitlines()[-1])
    return value, used, ""


def bench_torch():
    rows, notes = [], []
    for threads in ("default", "1"):
        ours, used, note = torch_images_per_second("ours", threads)
        core, _, core_note = torch_images_per_second("core", threads)
        rows.append(harness.comparison_row(f"RandAugment vs keras.layers.RandAugment (torch, {used} thr)", ours,
                                           core, unit="img/s", higher_is_better=True))
        notes += [n for n in (note, core_note) if n]
    return rows, notes


def bench_augmentation():
    import keras

    from kerasverse.cv import layers

    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (BATCH, SIZE, SIZE, 3)).astype("float32")
    rows, notes = [], []
    ours = _jax_images_per_second(
        layers.RandAugment(value_range=(0, 255), augmentations_per_image=2, magnitude=0.5, seed=1), images
    )
    core = _jax_images_per_second(
        keras.layers.RandAugment(value_range=(0, 255), num_ops=2, factor=0.5, seed=1), images, repeat=2
    )
    rows.append(harness.comparison_row("RandAugment vs keras.layers.RandAugment (JAX jit)", ours, core,
                                       unit="img/s", higher_is_better=True))
    print(harness.format_table(rows, ["case", "kerasverse", "peer", "ratio"]), flush=True)
    peer, note = keras_cv_images_per_second("randaugment")
    rows.append(harness.comparison_row("RandAugment vs keras-cv 0.9 (tf.function)", ours, peer,
                                       unit="img/s", higher_is_better=True))
    if note:
        notes.append(f"keras-cv RandAugment n/a: {note}")
    boxes = np.tile(np.array([[10, 10, 100, 100], [50, 60, 200, 210]], "float32"), (BATCH, 1, 1))
    data = {"images": images, "bounding_boxes": {"boxes": boxes, "classes": np.ones((BATCH, 2), "float32")}}
    mosaic = _jax_images_per_second(layers.Mosaic(bounding_box_format="xyxy", seed=1), data)
    peer, note = keras_cv_images_per_second("mosaic")
    rows.append(harness.comparison_row("Mosaic vs keras-cv 0.9 (tf.function)", mosaic, peer,
                                       unit="img/s", higher_is_better=True))
    if note:
        notes.append(f"keras-cv Mosaic n/a: {note}")
    return rows, notes


def main():
    quick = "--quick" in sys.argv
    import keras

    print(f"kerasverse.cv benchmarks: backend={keras.config.backend()}, {os.cpu_count()} CPU cores, "
          f"batch {BATCH} of {SIZE}x{SIZE}x3")
    rows = [bench_coco(500 if quick else 5000)]
    print(harness.format_table(rows, ["case", "kerasverse", "peer", "ratio"]), flush=True)
    augmentation_rows, notes = bench_augmentation()
    rows += augmentation_rows
    if "--no-torch" not in sys.argv:
        torch_rows, torch_notes = bench_torch()
        rows += torch_rows
        notes += torch_notes
    print(harness.format_table(rows, ["case", "kerasverse", "peer", "ratio"]))
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
