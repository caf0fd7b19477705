"""`cloud.remote()`: whether this code runs inside a `cloud.run` job."""

import os

from kerasverse.cloud.worker import REMOTE_ENV_VAR


def remote() -> bool:
    """Returns True inside a `cloud.run` job, False on the machine that launches it.

    One script can hold both the launch and the training, as with TensorFlow
    Cloud: `cloud.run()` returns at once inside the job, and code can branch
    on `cloud.remote()` (for example to save only where the job runs).

    Example:

    >>> from kerasverse import cloud
    >>> cloud.remote()
    False
    """
    return os.environ.get(REMOTE_ENV_VAR) == "1"


def process_index() -> int:
    """This process' rank in the job (0 is the chief; 0 outside a job)."""
    return int(os.environ.get("KERASVERSE_CLOUD_PROCESS_INDEX", "0"))


def num_processes() -> int:
    """The number of processes of the job (1 outside a job)."""
    return int(os.environ.get("KERASVERSE_CLOUD_NUM_PROCESSES", "1"))
