"""The standard artifact types (`tfx.types.standard_artifacts`)."""

from __future__ import annotations

from kerasverse.pipeline.types.artifact import Artifact


class Examples(Artifact):
    """Rows, one Parquet folder per split: `uri/Split-<name>/*.parquet`."""

    TYPE_NAME = "Examples"
    PROPERTIES = ("split_names", "span", "version")


class ExampleStatistics(Artifact):
    """TFDV-style statistics, one `Split-<name>/FeatureStats.json` per split."""

    TYPE_NAME = "ExampleStatistics"
    PROPERTIES = ("split_names", "span")


class Schema(Artifact):
    """A schema file, `uri/schema.json` (human-editable; YAML accepted on import)."""

    TYPE_NAME = "Schema"


class ExampleAnomalies(Artifact):
    """Anomalies per split, `uri/Split-<name>/SchemaDiff.json`."""

    TYPE_NAME = "ExampleAnomalies"
    PROPERTIES = ("split_names", "span")


class TransformGraph(Artifact):
    """A fitted host-side transform: `uri/transform/transform.json` + module."""

    TYPE_NAME = "TransformGraph"


class TransformCache(Artifact):
    TYPE_NAME = "TransformCache"


class Model(Artifact):
    """A trained model: `uri/Format-Serving/model.keras` (+ `transform/`)."""

    TYPE_NAME = "Model"


class ModelRun(Artifact):
    """The Trainer's working folder (logs, checkpoints)."""

    TYPE_NAME = "ModelRun"


class HyperParameters(Artifact):
    """Best hyperparameters: `uri/best_hyperparameters.txt` (a JSON config)."""

    TYPE_NAME = "HyperParameters"


class TunerResults(Artifact):
    TYPE_NAME = "TunerResults"


class ModelEvaluation(Artifact):
    """Metrics per slice and their validation: `metrics.json`, `validations.json`."""

    TYPE_NAME = "ModelEvaluation"


class ModelBlessing(Artifact):
    """The Evaluator's verdict: custom property `blessed` (1/0), file BLESSED/NOT_BLESSED."""

    TYPE_NAME = "ModelBlessing"


class InfraBlessing(Artifact):
    """The InfraValidator's verdict: custom property `blessed` (1/0)."""

    TYPE_NAME = "InfraBlessing"


class PushedModel(Artifact):
    """What Pusher pushed: custom properties `pushed`, `pushed_destination`, `pushed_version`."""

    TYPE_NAME = "PushedModel"


_ALL = (
    Examples, ExampleStatistics, Schema, ExampleAnomalies, TransformGraph, TransformCache,
    Model, ModelRun, HyperParameters, TunerResults, ModelEvaluation, ModelBlessing,
    InfraBlessing, PushedModel,
)
_BY_NAME = {cls.TYPE_NAME: cls for cls in _ALL}
# TFX's alias: `standard_artifacts.Statistics` is `ExampleStatistics`.
Statistics = ExampleStatistics


def artifact_class(type_name: str) -> type[Artifact]:
    """The artifact class registered under `type_name` (`Artifact` when unknown)."""
    return _BY_NAME.get(type_name, Artifact)


__all__ = [cls.__name__ for cls in _ALL] + ["Statistics"]
