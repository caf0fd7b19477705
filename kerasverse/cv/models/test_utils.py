"""Tiny configurations shared by the cv model tests."""

import numpy as np

TINY_RESNET = {
    "stackwise_num_filters": [4, 8, 8, 8],
    "stackwise_num_blocks": [1, 1, 1, 1],
    "stackwise_num_strides": [1, 2, 2, 2],
    "block_type": "basic_block",
    "input_conv_filters": [4],
    "input_conv_kernel_sizes": [3],
}
TINY_CSP_DARKNET = {"stackwise_channels": [4, 8, 8, 8], "stackwise_depth": [1, 1, 1, 1]}


def random_images(num_images=2, size=32, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (num_images, size, size, 3)).astype("float32")


def check_keras_file_round_trip(test_case, detector, images, targets, loss_weights):
    """Saves a compiled, trained detector to `.keras`, loads it and uses it without `compile`.

    Asserts that the loaded model keeps its loss weights and optimizer state,
    predicts and evaluates like the original, and trains on.
    """
    import os

    import keras

    path = os.path.join(test_case.get_temp_dir(), "detector.keras")
    detector.save(path)
    loaded = keras.saving.load_model(path)
    test_case.assertTrue(loaded.compiled)
    for name, value in loss_weights.items():
        test_case.assertEqual(getattr(loaded, name), value)
    test_case.assertEqual(type(loaded.optimizer), type(detector.optimizer))
    test_case.assertEqual(int(loaded.optimizer.iterations), int(detector.optimizer.iterations))
    for saved, restored in zip(detector.optimizer.variables, loaded.optimizer.variables):
        test_case.assertAllClose(saved, restored)
    expected = detector.predict(images, batch_size=len(images), verbose=0)
    restored = loaded.predict(images, batch_size=len(images), verbose=0)
    test_case.assertAllClose(restored["boxes"], expected["boxes"], atol=1e-4)
    test_case.assertAllClose(restored["classes"], expected["classes"])
    loss = detector.evaluate(images, targets, batch_size=len(images), verbose=0)
    test_case.assertAllClose(loaded.evaluate(images, targets, batch_size=len(images), verbose=0), loss, rtol=1e-4)
    history = loaded.fit(images, targets, batch_size=len(images), epochs=1, verbose=0)
    test_case.assertTrue(np.isfinite(history.history["loss"][-1]))
    test_case.assertEqual(int(loaded.optimizer.iterations), int(detector.optimizer.iterations) + 1)
