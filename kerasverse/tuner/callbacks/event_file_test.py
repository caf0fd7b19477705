"""Our event files, read back with tensorboardX's protobuf classes and CRC
(an independent implementation of the same formats)."""

import glob
import os
import struct

import pytest

from kerasverse.tuner.callbacks import event_file

tensorboardX = pytest.importorskip("tensorboardX")
from tensorboardX.proto import event_pb2  # noqa: E402
from tensorboardX.proto import plugin_hparams_pb2  # noqa: E402
from tensorboardX.record_writer import masked_crc32c  # noqa: E402


def read_events(path):
    """Every `Event` in the event file at `path`, CRCs checked."""
    events = []
    with open(path, "rb") as f:
        data = f.read()
    offset = 0
    while offset < len(data):
        header = data[offset:offset + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[offset + 8:offset + 12])
        assert length_crc == masked_crc32c(header)
        body = data[offset + 12:offset + 12 + length]
        (body_crc,) = struct.unpack("<I", data[offset + 12 + length:offset + 16 + length])
        assert body_crc == masked_crc32c(body)
        events.append(event_pb2.Event.FromString(body))
        offset += 16 + length
    return events


def read_run(folder):
    """The events of the one event file in `folder`."""
    paths = glob.glob(os.path.join(folder, "events.out.tfevents.*"))
    assert len(paths) == 1, paths
    return read_events(paths[0])


@pytest.mark.host
def test_crc32c_matches_known_values():
    # RFC 3720 B.4 test vector and the empty string.
    assert event_file.crc32c(b"\x00" * 32) == 0x8A9136AA
    assert event_file.crc32c(b"") == 0
    assert event_file.masked_crc32c(b"kerasverse") == masked_crc32c(b"kerasverse")


@pytest.mark.host
def test_scalars_and_hparams_parse_as_tensorboard_protos(tmp_path):
    writer = event_file.EventFileWriter(str(tmp_path))
    writer.add_scalar("epoch_loss", 0.5, step=3)
    writer.add_hparams_start({"units": 32, "lr": 1e-3, "act": "relu", "dropout": True}, group_name="07")
    writer.add_hparams_end()
    writer.close()
    events = read_run(str(tmp_path))
    assert events[0].file_version == "brain.Event:2"
    scalar = events[1].summary.value[0]
    assert (events[1].step, scalar.tag) == (3, "epoch_loss")
    assert scalar.metadata.plugin_data.plugin_name == "scalars"
    assert scalar.tensor.dtype == 1 and list(scalar.tensor.float_val) == [0.5]
    start = events[2].summary.value[0]
    assert start.tag == "_hparams_/session_start_info"
    assert start.metadata.plugin_data.plugin_name == "hparams"
    data = plugin_hparams_pb2.HParamsPluginData.FromString(start.metadata.plugin_data.content)
    info = data.session_start_info
    assert info.group_name == "07"
    assert info.hparams["units"].number_value == 32
    assert info.hparams["lr"].number_value == pytest.approx(1e-3)
    assert info.hparams["act"].string_value == "relu"
    assert info.hparams["dropout"].bool_value is True
    end = plugin_hparams_pb2.HParamsPluginData.FromString(
        events[3].summary.value[0].metadata.plugin_data.content
    )
    assert end.session_end_info.status == 1  # STATUS_SUCCESS
