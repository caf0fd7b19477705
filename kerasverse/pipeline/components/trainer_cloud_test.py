"""Trainer with `custom_config={"cloud": {...}}`: run_fn through `kerasverse.cloud.run` on a
real local Ray (2 CPUs), data-parallel on 2 processes. The oracle is the same run_fn in this
process: with SGD on unshuffled, full global batches, both must end with the same weights."""

import json
import os

import keras
import numpy as np
import pandas as pd
import pytest

from kerasverse import pipeline as tfx

ray = pytest.importorskip("ray")
pytest.importorskip("ray.train")

MODULE = """
import json, os
import keras
from kerasverse import cloud
from kerasverse import pipeline as tfx

def run_fn(fn_args):
    keras.utils.set_random_seed(0)
    options = tfx.DatasetOptions(batch_size=16, label_key="y", num_epochs=1, shuffle=False, drop_final_batch=True)
    dataset = fn_args.data_accessor.dataset_factory(fn_args.train_files, options)
    inputs = {name: keras.Input((1,), name=name) for name in ("a", "b", "c")}
    hidden = keras.layers.Dense(4, activation="relu")(keras.layers.Concatenate()(list(inputs.values())))
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    model.compile(keras.optimizers.SGD(0.05), "mse")
    losses = model.fit(dataset, epochs=2, verbose=0, shuffle=False).history["loss"]
    if cloud.process_index() == 0:
        with open(os.path.join(fn_args.model_run_dir, "processes.json"), "w") as handle:
            json.dump({"num_processes": cloud.num_processes(), "remote": cloud.remote(), "losses": losses}, handle)
    model.save(os.path.join(fn_args.serving_model_dir, "model.keras"))
"""


# Runs under one backend (the `host` marker): what is backend-specific here, the
# data-parallel training itself, is cloud's and is checked on JAX and torch by
# kerasverse/cloud/run_test.py; this test checks the Trainer's wiring to it.
@pytest.mark.host
@pytest.mark.slow  # A cloud.run job starts Ray Train and two fresh worker processes (~1 min here).
def test_trainer_runs_run_fn_data_parallel_through_cloud(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({name: rng.normal(size=120).astype("float32") for name in ("a", "b", "c")})
    frame["y"] = (frame["a"] - 2 * frame["b"] + 0.5 * frame["c"]).astype("float32")
    module = tmp_path / "module.py"
    module.write_text(MODULE)
    example_gen = tfx.components.DataFrameExampleGen(data=frame)
    here = tfx.components.Trainer(module_file=str(module), examples=example_gen.outputs["examples"]).with_id("here")
    on_cloud = tfx.components.Trainer(module_file=str(module), examples=example_gen.outputs["examples"],
                                      custom_config={"cloud": {"worker_count": 1}}).with_id("on_cloud")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        result = tfx.orchestration.LocalDagRunner().run(tfx.dsl.Pipeline(
            pipeline_name="cloud", pipeline_root=str(tmp_path / "root"), components=[example_gen, here, on_cloud]))
    finally:
        ray.shutdown()
    assert dict(result) == {"DataFrameExampleGen": "COMPLETE", "here": "COMPLETE", "on_cloud": "COMPLETE"}
    runs = {node: result.outputs[node]["model_run"][0].uri for node in ("here", "on_cloud")}
    recorded = {}
    for node in runs:
        with open(os.path.join(runs[node], "processes.json")) as handle:
            recorded[node] = json.load(handle)
    assert (recorded["on_cloud"]["num_processes"], recorded["on_cloud"]["remote"]) == (2, True)
    assert (recorded["here"]["num_processes"], recorded["here"]["remote"]) == (1, False)
    # Global epoch losses, equal to one process' on the same global batches; and it learned.
    np.testing.assert_allclose(recorded["on_cloud"]["losses"], recorded["here"]["losses"], rtol=1e-5)
    assert recorded["here"]["losses"][1] < recorded["here"]["losses"][0]
    with open(os.path.join(runs["on_cloud"], "cloud_job.json")) as handle:
        assert json.load(handle)["status"] == "SUCCEEDED"
    models = {node: keras.saving.load_model(os.path.join(result.outputs[node]["model"][0].uri, "Format-Serving",
                                                         "model.keras")) for node in ("here", "on_cloud")}
    for want, have in zip(models["here"].get_weights(), models["on_cloud"].get_weights()):
        np.testing.assert_allclose(have, want, rtol=1e-5, atol=1e-6)
