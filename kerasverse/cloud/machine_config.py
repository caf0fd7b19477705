"""Machine configurations for `cloud.run`'s `chief_config`/`worker_config`.

TensorFlow Cloud described a GCP machine (`MachineConfig(cpu_cores, memory,
accelerator_type, accelerator_count)` and `COMMON_MACHINE_CONFIGS` such as
`"T4_1X"`); here the same names describe the Ray resources one process of the
job reserves: `{"CPU": cpu_cores, "GPU": accelerator_count, "memory": ...}`
plus an accelerator-type resource (`"accelerator_type:T4"`) that Ray nodes
with such GPUs advertise.
"""

from __future__ import annotations

import enum
from typing import Any


class AcceleratorType(enum.Enum):
    """Accelerators named by TensorFlow Cloud, with Ray's names for them."""

    NO_ACCELERATOR = "CPU"
    NVIDIA_TESLA_K80 = "K80"
    NVIDIA_TESLA_P100 = "P100"
    NVIDIA_TESLA_V100 = "V100"
    NVIDIA_TESLA_P4 = "P4"
    NVIDIA_TESLA_T4 = "T4"
    NVIDIA_A100 = "A100"
    NVIDIA_H100 = "H100"


class MachineConfig:
    """The resources one process of a `cloud.run` job reserves on Ray.

    Args:
        cpu_cores: CPUs to reserve (Ray's `"CPU"` resource). Defaults to 1.
        memory: GiB of memory to reserve (Ray's `"memory"` resource), or None.
        accelerator_type: An `AcceleratorType` or its name (`"T4"`, `"CPU"`).
        accelerator_count: GPUs to reserve (Ray's `"GPU"` resource).

    Example:

    >>> MachineConfig(cpu_cores=4).to_ray_resources()
    {'CPU': 4.0}
    >>> COMMON_MACHINE_CONFIGS["T4_1X"].to_ray_resources()
    {'CPU': 8.0, 'GPU': 1.0, 'memory': 32212254720.0, 'accelerator_type:T4': 0.001}
    """

    def __init__(
        self,
        cpu_cores: float = 1,
        memory: float | None = None,
        accelerator_type: AcceleratorType | str = AcceleratorType.NO_ACCELERATOR,
        accelerator_count: int = 0,
    ):
        if isinstance(accelerator_type, str):
            names = [member.value for member in AcceleratorType]
            if accelerator_type not in names:
                raise ValueError(
                    f"Unknown accelerator_type: expected one of {names}. "
                    f"Received: accelerator_type={accelerator_type!r}."
                )
            accelerator_type = AcceleratorType(accelerator_type)
        if cpu_cores is not None and cpu_cores <= 0:
            raise ValueError(f"cpu_cores must be > 0. Received: cpu_cores={cpu_cores}.")
        if accelerator_count < 0 or (
            accelerator_type is AcceleratorType.NO_ACCELERATOR and accelerator_count
        ):
            raise ValueError(
                "accelerator_count must be >= 0, and 0 without an accelerator. Received: "
                f"accelerator_type={accelerator_type.value!r}, accelerator_count={accelerator_count}."
            )
        self.cpu_cores = cpu_cores
        self.memory = memory
        self.accelerator_type = accelerator_type
        self.accelerator_count = accelerator_count

    def to_ray_resources(self) -> dict[str, float]:
        resources = {}
        if self.cpu_cores:
            resources["CPU"] = float(self.cpu_cores)
        if self.accelerator_count:
            resources["GPU"] = float(self.accelerator_count)
        if self.memory:
            resources["memory"] = float(self.memory) * 1024**3
        if self.accelerator_type is not AcceleratorType.NO_ACCELERATOR:
            resources[f"accelerator_type:{self.accelerator_type.value}"] = 0.001
        return resources

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, MachineConfig) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return (
            f"MachineConfig(cpu_cores={self.cpu_cores}, memory={self.memory}, "
            f"accelerator_type={self.accelerator_type.value!r}, "
            f"accelerator_count={self.accelerator_count})"
        )


def _gpu(name: str, count: int, cpu_cores: int, memory: int) -> MachineConfig:
    return MachineConfig(cpu_cores, memory, AcceleratorType(name), count)


COMMON_MACHINE_CONFIGS: dict[str, MachineConfig] = {
    # TensorFlow Cloud's names (same cores, memory and accelerators).
    "CPU": MachineConfig(cpu_cores=4, memory=15),
    "K80_1X": _gpu("K80", 1, 8, 30),
    "K80_4X": _gpu("K80", 4, 16, 60),
    "K80_8X": _gpu("K80", 8, 32, 120),
    "P100_1X": _gpu("P100", 1, 8, 30),
    "P100_4X": _gpu("P100", 4, 16, 60),
    "P4_1X": _gpu("P4", 1, 8, 30),
    "P4_4X": _gpu("P4", 4, 16, 60),
    "V100_1X": _gpu("V100", 1, 8, 30),
    "V100_4X": _gpu("V100", 4, 16, 60),
    "T4_1X": _gpu("T4", 1, 8, 30),
    "T4_4X": _gpu("T4", 4, 16, 60),
    # CPU-only processes of a given size (no memory reservation).
    "CPU_1": MachineConfig(cpu_cores=1),
    "CPU_2": MachineConfig(cpu_cores=2),
    "CPU_4": MachineConfig(cpu_cores=4),
    "CPU_8": MachineConfig(cpu_cores=8),
    "CPU_16": MachineConfig(cpu_cores=16),
}


def resolve_machine_config(config: Any, argument: str) -> dict[str, float] | None:
    """Ray resources for one process from `"auto"`, a name, a `MachineConfig` or a dict.

    Returns None for `"auto"` (decided from the cluster: one CPU per process,
    or one GPU where the cluster has GPUs).
    """
    if config is None or config == "auto":
        return None
    if isinstance(config, MachineConfig):
        return config.to_ray_resources()
    if isinstance(config, str):
        if config not in COMMON_MACHINE_CONFIGS:
            raise ValueError(
                f"Unknown machine config {config!r} for `{argument}`: expected 'auto', a "
                f"dict of Ray resources, a MachineConfig or one of "
                f"{sorted(COMMON_MACHINE_CONFIGS)}. Received: {argument}={config!r}."
            )
        return COMMON_MACHINE_CONFIGS[config].to_ray_resources()
    if isinstance(config, dict):
        bad = {k: v for k, v in config.items() if not isinstance(k, str) or not isinstance(v, (int, float)) or v < 0}
        if bad or not config:
            raise ValueError(
                f"`{argument}` as a dict maps Ray resource names to amounts >= 0, such as "
                f"{{'CPU': 2, 'GPU': 1}}. Received: {argument}={config!r}."
            )
        return {key: float(value) for key, value in config.items()}
    raise TypeError(
        f"`{argument}` must be 'auto', a machine config name, a MachineConfig or a dict of "
        f"Ray resources. Received: {argument}={config!r} of type {type(config).__name__}."
    )
