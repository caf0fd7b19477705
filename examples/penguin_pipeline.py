"""TFX's penguin pipeline on Keras 3 with `kerasverse.pipeline` (JAX or PyTorch, no TensorFlow).

Run: `KERAS_BACKEND=jax python examples/penguin_pipeline.py /tmp/penguin`

It runs the pipeline three times: cold (every component runs), again on the
same data (everything CACHED, nothing pushed twice), then with new data (a
new model is trained, compared with the blessed baseline, and pushed only if
it is not worse). This file is also the pipeline's module file: it defines
`preprocessing_fn`, `tuner_fn` and `run_fn`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

import numpy as np

from kerasverse import pipeline as tfx
from kerasverse.pipeline import tfma
from kerasverse.pipeline import tft

LABEL_KEY = "species"
NUMERIC_FEATURES = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
CATEGORICAL_FEATURES = ["island", "sex"]


# -- The module file: preprocessing_fn, tuner_fn, run_fn ------------------------
def preprocessing_fn(inputs):
    """Raw columns -> model inputs; analyzers are fitted on the train split."""
    outputs = {}
    for key in NUMERIC_FEATURES:
        # z-score with the train split's mean/std; a missing value becomes the mean (0).
        outputs[key] = np.nan_to_num(tft.scale_to_z_score(inputs[key]), nan=0.0)
    for key in CATEGORICAL_FEATURES:
        outputs[key] = tft.compute_and_apply_vocabulary(inputs[key], num_oov_buckets=1, vocab_filename=key)
    outputs[LABEL_KEY] = tft.compute_and_apply_vocabulary(inputs[LABEL_KEY], vocab_filename=LABEL_KEY)
    return outputs


def _build_model(hp, tf_transform_output):
    import keras

    inputs, parts = {}, []
    for key in NUMERIC_FEATURES:
        inputs[key] = keras.Input(shape=(), name=key, dtype="float32")
        parts.append(keras.layers.Reshape((1,))(inputs[key]))
    for key in CATEGORICAL_FEATURES:
        size = len(tf_transform_output.vocabulary_by_name(key)) + 1
        inputs[key] = keras.Input(shape=(), name=key, dtype="int64")
        parts.append(keras.layers.Embedding(size, 3)(inputs[key]))
    x = keras.layers.Concatenate()(parts)
    for _ in range(hp.get("num_layers")):
        x = keras.layers.Dense(hp.get("units"), activation="relu")(x)
    num_classes = len(tf_transform_output.vocabulary_by_name(LABEL_KEY))
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(hp.get("learning_rate")), "sparse_categorical_crossentropy",
                  metrics=["sparse_categorical_accuracy"])
    return model


def _hyperparameters():
    from kerasverse import tuner as kt

    hp = kt.HyperParameters()
    hp.Choice("learning_rate", [1e-2, 3e-3])
    hp.Int("num_layers", 1, 2)
    hp.Choice("units", [8, 16])
    return hp


def _datasets(fn_args, tf_transform_output, batch_size=32):
    options = tfx.DatasetOptions(batch_size=batch_size, label_key=LABEL_KEY)
    train = fn_args.data_accessor.dataset_factory(fn_args.train_files, options, tf_transform_output)
    evaluation = fn_args.data_accessor.dataset_factory(fn_args.eval_files, options, tf_transform_output)
    return train, evaluation


def tuner_fn(fn_args):
    """Builds a RandomSearch over `_hyperparameters()` (kerasverse.tuner)."""
    import keras

    from kerasverse import tuner as kt

    keras.utils.set_random_seed(fn_args.custom_config.get("seed", 0))
    tf_transform_output = tft.TFTransformOutput(fn_args.transform_output)
    train, evaluation = _datasets(fn_args, tf_transform_output)
    tuner = kt.RandomSearch(
        lambda hp: _build_model(hp, tf_transform_output), hyperparameters=_hyperparameters(),
        objective="val_sparse_categorical_accuracy", max_trials=fn_args.custom_config.get("max_trials", 2),
        seed=0, directory=fn_args.working_dir, project_name="penguin_tuning",
    )
    return tfx.TunerFnResult(tuner=tuner, fit_kwargs={
        "x": train, "steps_per_epoch": fn_args.train_steps, "epochs": 1, "verbose": 0,
        "validation_data": evaluation, "validation_steps": fn_args.eval_steps,
    })


def run_fn(fn_args):
    """Trains with the tuned hyperparameters and saves `model.keras` for serving."""
    import keras

    from kerasverse import tuner as kt

    keras.utils.set_random_seed(fn_args.custom_config.get("seed", 0))
    tf_transform_output = tft.TFTransformOutput(fn_args.transform_output)
    train, evaluation = _datasets(fn_args, tf_transform_output)
    if fn_args.hyperparameters:
        hp = kt.HyperParameters.from_config(fn_args.hyperparameters)
    else:
        hp = _hyperparameters()
    model = _build_model(hp, tf_transform_output)
    model.fit(train, steps_per_epoch=fn_args.train_steps, epochs=fn_args.custom_config.get("epochs", 1),
              validation_data=evaluation, validation_steps=fn_args.eval_steps, verbose=0)
    model.save(os.path.join(fn_args.serving_model_dir, "model.keras"))


# -- The pipeline ---------------------------------------------------------------
def eval_config():
    return tfma.EvalConfig(
        model_specs=[tfma.ModelSpec(label_key=LABEL_KEY)],
        slicing_specs=[tfma.SlicingSpec(), tfma.SlicingSpec(feature_keys=["island"])],
        metrics_specs=[tfma.MetricsSpec(metrics=[
            tfma.MetricConfig(class_name="ExampleCount"),
            tfma.MetricConfig(
                class_name="SparseCategoricalAccuracy",
                threshold=tfma.MetricThreshold(
                    value_threshold=tfma.GenericValueThreshold(lower_bound={"value": 0.6}),
                    change_threshold=tfma.GenericChangeThreshold(
                        direction=tfma.MetricDirection.HIGHER_IS_BETTER, absolute={"value": -1e-10}))),
        ])],
    )


def create_pipeline(pipeline_name, pipeline_root, data_root, module_file, serving_model_dir, metadata_path,
                    train_steps=60, eval_steps=5, tuner_steps=20, max_trials=2, epochs=1):
    """TFX's penguin pipeline: ExampleGen -> statistics/schema/validation -> Transform ->
    Tuner -> Trainer -> Evaluator (vs the latest blessed model) -> Pusher."""
    example_gen = tfx.components.CsvExampleGen(input_base=data_root)
    statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
    schema_gen = tfx.components.SchemaGen(statistics=statistics_gen.outputs["statistics"], infer_feature_shape=True)
    example_validator = tfx.components.ExampleValidator(
        statistics=statistics_gen.outputs["statistics"], schema=schema_gen.outputs["schema"])
    transform = tfx.components.Transform(
        examples=example_gen.outputs["examples"], schema=schema_gen.outputs["schema"], module_file=module_file)
    tuner = tfx.components.Tuner(
        module_file=module_file, examples=transform.outputs["transformed_examples"],
        transform_graph=transform.outputs["transform_graph"],
        train_args=tfx.proto.TrainArgs(num_steps=tuner_steps), eval_args=tfx.proto.EvalArgs(num_steps=eval_steps),
        custom_config={"max_trials": max_trials})
    trainer = tfx.components.Trainer(
        module_file=module_file, examples=transform.outputs["transformed_examples"],
        transform_graph=transform.outputs["transform_graph"], schema=schema_gen.outputs["schema"],
        hyperparameters=tuner.outputs["best_hyperparameters"],
        train_args=tfx.proto.TrainArgs(num_steps=train_steps), eval_args=tfx.proto.EvalArgs(num_steps=eval_steps),
        custom_config={"epochs": epochs})
    model_resolver = tfx.dsl.Resolver(
        strategy_class=tfx.dsl.experimental.LatestBlessedModelStrategy,
        model=tfx.dsl.Channel(type=tfx.types.standard_artifacts.Model),
        model_blessing=tfx.dsl.Channel(type=tfx.types.standard_artifacts.ModelBlessing),
    ).with_id("latest_blessed_model_resolver")
    evaluator = tfx.components.Evaluator(
        examples=example_gen.outputs["examples"], model=trainer.outputs["model"],
        baseline_model=model_resolver.outputs["model"], eval_config=eval_config())
    pusher = tfx.components.Pusher(
        model=trainer.outputs["model"], model_blessing=evaluator.outputs["blessing"],
        push_destination=tfx.proto.PushDestination(
            filesystem=tfx.proto.PushDestination.Filesystem(base_directory=serving_model_dir)))
    return tfx.dsl.Pipeline(
        pipeline_name=pipeline_name, pipeline_root=pipeline_root,
        components=[example_gen, statistics_gen, schema_gen, example_validator, transform, tuner, trainer,
                    model_resolver, evaluator, pusher],
        enable_cache=True,
        metadata_connection_config=tfx.orchestration.metadata.sqlite_metadata_connection_config(metadata_path))


def penguins_csv() -> str:
    """The palmerpenguins package's CSV (344 rows; bundled, no download)."""
    import palmerpenguins

    return os.path.join(os.path.dirname(palmerpenguins.__file__), "data", "penguins.csv")


def write_new_data(data_root: str, seed: int = 1) -> str:
    """A second CSV of 'new' penguins: the bundled rows with measurement noise."""
    import pandas as pd

    frame = pd.read_csv(penguins_csv())
    rng = np.random.default_rng(seed)
    for key in NUMERIC_FEATURES:
        frame[key] = (frame[key] * (1 + rng.normal(0, 0.02, len(frame)))).round(1)
    path = os.path.join(data_root, "penguins_new.csv")
    frame.to_csv(path, index=False, na_rep="NA")
    return path


def main(workdir: str, train_steps: int = 60, tuner_steps: int = 20, max_trials: int = 2,
         runner=None, verbose: bool = True) -> dict:
    """Runs the penguin pipeline cold, cached, then on new data; returns a summary dict.

    Returns:
        `{"runs": [states, states, states], "pushed_versions": [...], "prediction": [...],
        "lineage": [...], "metadata": path}`.
    """
    data_root = os.path.join(workdir, "data")
    os.makedirs(data_root, exist_ok=True)
    shutil.copy(penguins_csv(), data_root)
    serving = os.path.join(workdir, "serving")
    pipeline = create_pipeline(
        "penguin", os.path.join(workdir, "root"), data_root, os.path.abspath(__file__), serving,
        os.path.join(workdir, "metadata.sqlite"), train_steps=train_steps, tuner_steps=tuner_steps,
        max_trials=max_trials)
    runner = runner or tfx.orchestration.LocalDagRunner()
    runs = [runner.run(pipeline), runner.run(pipeline)]
    write_new_data(data_root)
    runs.append(runner.run(pipeline))
    versions = sorted(name for name in os.listdir(serving) if name.isdigit()) if os.path.isdir(serving) else []
    serving_model = tfx.load_serving_model(os.path.join(serving, versions[-1]))
    row = {"island": "Biscoe", "bill_length_mm": 50.0, "bill_depth_mm": 15.0, "flipper_length_mm": 220,
           "body_mass_g": 5500, "sex": "male", "year": 2008}
    probabilities = serving_model.predict([row])[0]
    species = serving_model.transform.vocabulary_by_name(LABEL_KEY)
    lineage = tfx.get_lineage(pipeline.metadata_url, pipeline_name="penguin")
    summary = {
        "runs": [dict(run) for run in runs],
        "pushed_versions": versions,
        "prediction": {"row": row, "species": species[int(np.argmax(probabilities))],
                       "probabilities": [round(float(p), 3) for p in probabilities]},
        "lineage": lineage,
        "metadata": pipeline.metadata_url,
    }
    if verbose:
        names = list(runs[0])
        print(f"{'component':<32} {'cold':<10} {'same data':<10} {'new data':<10}")
        for name in names:
            print(f"{name:<32} {runs[0][name]:<10} {runs[1][name]:<10} {runs[2][name]:<10}")
        print(f"pushed versions: {versions}")
        print(f"prediction for a {row['island']} penguin: {summary['prediction']['species']} "
              f"{summary['prediction']['probabilities']}")
        print("lineage of the latest pushed model: " + " <- ".join(
            f"{step['type']}({step['producer_component']})" for step in lineage))
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir")
    parser.add_argument("--train-steps", type=int, default=60)
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "jax")
    sys.exit(0 if main(args.workdir, train_steps=args.train_steps) else 1)
