import pytest

from kerasverse.cloud.machine_config import COMMON_MACHINE_CONFIGS
from kerasverse.cloud.machine_config import MachineConfig
from kerasverse.cloud.machine_config import resolve_machine_config

pytestmark = pytest.mark.host


def test_named_configs_map_to_ray_resources():
    assert resolve_machine_config("CPU_4", "chief_config") == {"CPU": 4.0}
    t4 = resolve_machine_config("T4_1X", "chief_config")
    assert t4["GPU"] == 1.0 and t4["CPU"] == 8.0 and "accelerator_type:T4" in t4
    assert t4["memory"] == 30 * 1024**3
    # TensorFlow Cloud's names are all there.
    for name in ("CPU", "K80_1X", "K80_4X", "K80_8X", "P100_1X", "P100_4X", "P4_1X", "P4_4X",
                 "V100_1X", "V100_4X", "T4_1X", "T4_4X"):
        assert name in COMMON_MACHINE_CONFIGS
    assert resolve_machine_config("auto", "chief_config") is None
    assert resolve_machine_config({"CPU": 2, "GPU": 1}, "worker_config") == {"CPU": 2.0, "GPU": 1.0}
    assert MachineConfig(cpu_cores=2, accelerator_type="V100", accelerator_count=2).to_ray_resources() == {
        "CPU": 2.0, "GPU": 2.0, "accelerator_type:V100": 0.001}


def test_bad_machine_configs_say_what_to_pass():
    with pytest.raises(ValueError, match=r"Unknown machine config 'T4_3X' for `chief_config`.*CPU_4"):
        resolve_machine_config("T4_3X", "chief_config")
    with pytest.raises(ValueError, match=r"Received: worker_config=\{'CPU': -1\}"):
        resolve_machine_config({"CPU": -1}, "worker_config")
    with pytest.raises(TypeError, match="Received: chief_config=4 of type int"):
        resolve_machine_config(4, "chief_config")
    with pytest.raises(ValueError, match="Unknown accelerator_type"):
        MachineConfig(accelerator_type="TPU_V9")
    with pytest.raises(ValueError, match="0 without an accelerator"):
        MachineConfig(accelerator_count=1)
