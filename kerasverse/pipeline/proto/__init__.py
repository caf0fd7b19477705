"""Configuration messages (`tfx.proto`): plain dataclasses with TFX's field names.

Example:

>>> from kerasverse.pipeline import proto
>>> config = proto.Output(split_config=proto.SplitConfig(splits=[
...     proto.SplitConfig.Split(name="train", hash_buckets=3),
...     proto.SplitConfig.Split(name="eval", hash_buckets=1)]))
>>> [split.name for split in config.split_config.splits]
['train', 'eval']
"""

from __future__ import annotations

import dataclasses
from typing import Any


def to_json(message: Any) -> Any:
    """A JSON-able form of a proto dataclass (for cache keys and the metadata store)."""
    if dataclasses.is_dataclass(message):
        return {field.name: to_json(getattr(message, field.name)) for field in dataclasses.fields(message)}
    if isinstance(message, (list, tuple)):
        return [to_json(item) for item in message]
    if isinstance(message, dict):
        return {str(key): to_json(value) for key, value in message.items()}
    if hasattr(message, "value") and hasattr(message, "name") and not isinstance(message, (str, int, float)):
        return message.name  # Enums.
    return message


@dataclasses.dataclass
class _Split:
    name: str
    hash_buckets: int = 1


@dataclasses.dataclass
class SplitConfig:
    """How ExampleGen splits rows: `splits=[SplitConfig.Split(name, hash_buckets)]`.

    Rows go to a split by a deterministic hash of the row modulo the total of
    `hash_buckets` (TFX's default: train 2, eval 1). `partition_feature_name`
    hashes that column instead of the whole row (keeps a key's rows together).
    """

    splits: list[_Split] = dataclasses.field(default_factory=list)
    partition_feature_name: str = ""

    Split = _Split


@dataclasses.dataclass
class Output:
    """ExampleGen's `output_config`."""

    split_config: SplitConfig = dataclasses.field(default_factory=SplitConfig)


@dataclasses.dataclass
class _InputSplit:
    name: str
    pattern: str


@dataclasses.dataclass
class Input:
    """ExampleGen's `input_config`: named splits given as file patterns under `input_base`."""

    splits: list[_InputSplit] = dataclasses.field(default_factory=list)

    Split = _InputSplit


@dataclasses.dataclass
class SplitsConfig:
    """Which splits a Transform fits on (`analyze`) and applies to (`transform`)."""

    analyze: list[str] = dataclasses.field(default_factory=lambda: ["train"])
    transform: list[str] = dataclasses.field(default_factory=lambda: ["train", "eval"])


@dataclasses.dataclass
class TrainArgs:
    """Trainer/Tuner training arguments: `num_steps` and the `splits` to train on."""

    num_steps: int | None = None
    splits: list[str] = dataclasses.field(default_factory=lambda: ["train"])


@dataclasses.dataclass
class EvalArgs:
    """Trainer/Tuner evaluation arguments: `num_steps` and the `splits` to evaluate on."""

    num_steps: int | None = None
    splits: list[str] = dataclasses.field(default_factory=lambda: ["eval"])


@dataclasses.dataclass
class TuneArgs:
    num_parallel_trials: int = 1


@dataclasses.dataclass
class _Filesystem:
    base_directory: str


@dataclasses.dataclass
class PushDestination:
    """Where Pusher writes: `PushDestination(filesystem=PushDestination.Filesystem(base_directory=...))`."""

    filesystem: _Filesystem | None = None

    Filesystem = _Filesystem


@dataclasses.dataclass
class ServingSpec:
    """InfraValidator's serving binary: `kerasverse serve` (the only one here)."""

    model_name: str = "model"


@dataclasses.dataclass
class ValidationSpec:
    max_loading_time_seconds: int = 180
    num_tries: int = 1


@dataclasses.dataclass
class RequestSpec:
    num_examples: int = 3


__all__ = [
    "EvalArgs", "Input", "Output", "PushDestination", "RequestSpec", "ServingSpec",
    "SplitConfig", "SplitsConfig", "TrainArgs", "TuneArgs", "ValidationSpec", "to_json",
]
