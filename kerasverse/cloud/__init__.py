"""kerasverse.cloud: TensorFlow Cloud's `run()` for Keras 3, on Ray Train.

`cloud.run(entry_point="train.py", worker_count=1)` runs an unchanged Keras
script (or, in the function form, `cloud.run(train_fn, args=...)`) on
`1 + worker_count` processes of a Ray cluster, synchronously data-parallel on
JAX or PyTorch. See docs/cloud.md.
"""

from kerasverse.cloud.cluster import shutdown
from kerasverse.cloud.job import Job
from kerasverse.cloud.machine_config import COMMON_MACHINE_CONFIGS
from kerasverse.cloud.machine_config import AcceleratorType
from kerasverse.cloud.machine_config import MachineConfig
from kerasverse.cloud.remote import num_processes
from kerasverse.cloud.remote import process_index
from kerasverse.cloud.remote import remote
from kerasverse.cloud.result import JobFailedError
from kerasverse.cloud.result import RunResult
from kerasverse.cloud.run import run

__all__ = [
    "AcceleratorType",
    "COMMON_MACHINE_CONFIGS",
    "Job",
    "JobFailedError",
    "MachineConfig",
    "RunResult",
    "num_processes",
    "process_index",
    "remote",
    "run",
    "shutdown",
]
