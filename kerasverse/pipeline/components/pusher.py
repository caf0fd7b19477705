"""Pusher: copies a blessed model (and its transform) into `base_directory/<version>/`, atomically."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time

from kerasverse.pipeline import proto
from kerasverse.pipeline.components.base_component import BaseComponent
from kerasverse.pipeline.components.base_component import BaseExecutor
from kerasverse.pipeline.components.base_component import ChannelParameter
from kerasverse.pipeline.components.base_component import ComponentSpec
from kerasverse.pipeline.components.base_component import ExecutionParameter
from kerasverse.pipeline.components.base_component import SkipExecution
from kerasverse.pipeline.components.trainer import MODEL_FILE
from kerasverse.pipeline.components.trainer import SERVING_DIR
from kerasverse.pipeline.types import standard_artifacts
from kerasverse.pipeline.types.channel import Channel

PUSH_RECORD = "pushed_model.json"


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _already_pushed(base_directory: str, fingerprint: str) -> str | None:
    if not os.path.isdir(base_directory):
        return None
    for name in os.listdir(base_directory):
        record = os.path.join(base_directory, name, PUSH_RECORD)
        if name.isdigit() and os.path.isfile(record):
            with open(record) as handle:
                if json.load(handle).get("sha256") == fingerprint:
                    return name
    return None


def push_version(source_dir: str, base_directory: str, record: dict) -> tuple[int, str]:
    """Copies `source_dir` into `base_directory/.tmp-<version>` then renames it to `<version>`
    (`int(time.time())`, bumped while taken). Returns (version, folder)."""
    os.makedirs(base_directory, exist_ok=True)
    version = int(time.time())
    while True:
        target = os.path.join(base_directory, str(version))
        staging = os.path.join(base_directory, f".tmp-{version}")
        if os.path.exists(target) or os.path.exists(staging):
            version += 1
            continue
        try:
            os.makedirs(staging)
        except FileExistsError:
            version += 1
            continue
        break
    shutil.copytree(source_dir, staging, dirs_exist_ok=True)
    with open(os.path.join(staging, PUSH_RECORD), "w") as handle:
        json.dump(record, handle, indent=1)
    os.rename(staging, target)
    return version, target


class PusherExecutor(BaseExecutor):
    def Do(self, input_dict, output_dict, exec_properties) -> None:  # noqa: N802
        model = input_dict["model"][0]
        for key in ("model_blessing", "infra_blessing"):
            for blessing in input_dict.get(key) or []:
                if int(blessing.get_custom_property("blessed", 0)) != 1:
                    raise SkipExecution(f"the model is not blessed ({key} {blessing.uri})")
        destination: proto.PushDestination = exec_properties["push_destination"]
        base_directory = destination.filesystem.base_directory
        source = os.path.join(model.uri, SERVING_DIR)
        model_file = os.path.join(source, MODEL_FILE)
        if not os.path.isfile(model_file):
            raise ValueError(f"Pusher: the model artifact {model.uri} has no {SERVING_DIR}/{MODEL_FILE}.")
        fingerprint = _sha256(model_file)
        existing = _already_pushed(base_directory, fingerprint)
        if existing is not None:
            raise SkipExecution(f"this model is already pushed as version {existing}")
        version, target = push_version(source, base_directory, {
            "model_uri": model.uri, "model_id": model.id, "sha256": fingerprint, "pushed_at": time.time()})
        pushed = output_dict["pushed_model"][0]
        with open(os.path.join(pushed.uri, PUSH_RECORD), "w") as handle:
            json.dump({"model_uri": model.uri, "destination": target, "version": version}, handle)
        pushed.set_custom_property("pushed", 1)
        pushed.set_custom_property("pushed_destination", target)
        pushed.set_custom_property("pushed_version", str(version))
        pushed.set_custom_property("pushed_model_id", model.id)


class PusherSpec(ComponentSpec):
    INPUTS = {
        "model": ChannelParameter(type=standard_artifacts.Model),
        "model_blessing": ChannelParameter(type=standard_artifacts.ModelBlessing, optional=True),
        "infra_blessing": ChannelParameter(type=standard_artifacts.InfraBlessing, optional=True),
    }
    OUTPUTS = {"pushed_model": ChannelParameter(type=standard_artifacts.PushedModel)}
    PARAMETERS = {
        "push_destination": ExecutionParameter(type=proto.PushDestination, optional=False),
        "custom_config": ExecutionParameter(type=dict),
    }


class Pusher(BaseComponent):
    """Pushes a blessed model to `base_directory/<int(time.time())>/` (the layout `kerasverse serve` reads).

    A model that is not blessed is not pushed (the component is SKIPPED), and
    a model already present in `base_directory` is never pushed twice.

    Args:
        model: The `Model` to push.
        model_blessing: The Evaluator's `ModelBlessing` (optional but recommended).
        infra_blessing: The InfraValidator's `InfraBlessing` (optional).
        push_destination: `proto.PushDestination(filesystem=proto.PushDestination.Filesystem(base_directory=...))`.
        custom_config: Accepted, as in TFX.

    Example:

    ```python
    pusher = tfx.components.Pusher(model=trainer.outputs["model"], model_blessing=evaluator.outputs["blessing"],
        push_destination=tfx.proto.PushDestination(
            filesystem=tfx.proto.PushDestination.Filesystem(base_directory="serving/")))
    ```
    """

    SPEC_CLASS = PusherSpec
    EXECUTOR_CLASS = PusherExecutor

    def __init__(self, model: Channel, push_destination: proto.PushDestination,
                 model_blessing: Channel | None = None, infra_blessing: Channel | None = None,
                 custom_config: dict | None = None) -> None:
        if not isinstance(push_destination, proto.PushDestination) or push_destination.filesystem is None:
            raise TypeError(
                "Pusher(push_destination=...) expects tfx.proto.PushDestination(filesystem="
                f"tfx.proto.PushDestination.Filesystem(base_directory=...)). Received: {push_destination!r}"
            )
        push_destination.filesystem.base_directory = os.path.abspath(push_destination.filesystem.base_directory)
        super().__init__(inputs={"model": model, "model_blessing": model_blessing, "infra_blessing": infra_blessing},
                         exec_properties={"push_destination": push_destination, "custom_config": custom_config})
