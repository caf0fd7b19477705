"""Train a Keras model data-parallel on 2 processes of a local Ray with `kerasverse.cloud`.

    KERAS_BACKEND=jax python examples/cloud_train.py            # or KERAS_BACKEND=torch
    KERAS_BACKEND=jax python examples/cloud_train.py --workers 0

Run directly, `cloud.run()` (entry_point=None) submits this very script as a job
on 1 + `--workers` processes and exits when the job ends; inside the job it
returns at once and the ordinary Keras code below trains data-parallel: each
step consumes one global batch of 64 samples split across the processes.
"""

import argparse
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kerasverse import cloud  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--workers", type=int, default=1)
parser.add_argument("--epochs", type=int, default=3)
arguments = parser.parse_args()

cloud.run(worker_count=arguments.workers, stream_logs=True,
          checkpoint_dir="/tmp/kerasverse-cloud-example", max_failures=1)

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.random((2048, 8), dtype=np.float32)
y = (x @ rng.random((8, 1), dtype=np.float32)).astype("float32")
model = keras.Sequential([
    keras.Input((8,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1),
])
model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
model.fit(x, y, batch_size=64, epochs=arguments.epochs, validation_split=0.1, verbose=2)
print(f"process {cloud.process_index()} of {cloud.num_processes()}: "
      f"final mae {model.evaluate(x, y, verbose=0)[1]:.4f}")
model.save("/tmp/kerasverse-cloud-example/model.keras")  # Written by the chief only.
