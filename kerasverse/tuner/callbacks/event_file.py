"""`EventFileWriter`: TensorBoard event files written without TensorFlow.

An event file is a sequence of TFRecords (length, masked CRC32C of the
length, data, masked CRC32C of the data), each holding a serialized `Event`
protocol buffer. The few messages needed here (scalars and the HParams
plugin's session start/end) are encoded by hand in the protobuf wire format,
so neither TensorFlow nor `tensorboard` nor `protobuf` is needed to write
them; TensorBoard reads them like those of `tf.summary`.
"""

import os
import socket
import struct
import time

# --- CRC32C (Castagnoli), as TFRecord uses it -------------------------------


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """The CRC32C checksum of `data`."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """The TFRecord mask of the CRC32C of `data`."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(data: bytes) -> bytes:
    """`data` framed as one TFRecord."""
    length = struct.pack("<Q", len(data))
    return (
        length + struct.pack("<I", masked_crc32c(length)) + data
        + struct.pack("<I", masked_crc32c(data))
    )


# --- Protobuf wire format ---------------------------------------------------


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # Negative int64 as two's complement.
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint((field << 3) | wire_type)


def _int_field(field: int, value: int) -> bytes:
    return _key(field, 0) + _varint(int(value))


def _double_field(field: int, value: float) -> bytes:
    return _key(field, 1) + struct.pack("<d", float(value))


def _bytes_field(field: int, value) -> bytes:
    if isinstance(value, str):
        value = value.encode("utf-8")
    return _key(field, 2) + _varint(len(value)) + value


# Enum values of the TensorFlow / TensorBoard protos.
DT_FLOAT = 1
DATA_CLASS_SCALAR = 1
STATUS_SUCCESS = 1
STATUS_FAILURE = 2


def _scalar_tensor(value: float) -> bytes:
    # TensorProto{dtype=DT_FLOAT, tensor_shape={} (a scalar), float_val=[value]}.
    return _int_field(1, DT_FLOAT) + _bytes_field(2, b"") + _bytes_field(5, struct.pack("<f", value))


def _metadata(plugin_name: str, content: bytes = b"", data_class: int = 0) -> bytes:
    plugin_data = _bytes_field(1, plugin_name) + (_bytes_field(2, content) if content else b"")
    return _bytes_field(1, plugin_data) + (_int_field(4, data_class) if data_class else b"")


def _summary_value(tag: str, tensor: bytes, metadata: bytes) -> bytes:
    # Summary{value=[Value{tag, tensor, metadata}]}.
    value = _bytes_field(1, tag) + _bytes_field(8, tensor) + _bytes_field(9, metadata)
    return _bytes_field(1, value)


def _struct_value(value) -> bytes:
    # google.protobuf.Value: number_value=2, string_value=3, bool_value=4.
    if isinstance(value, bool):
        return _int_field(4, value)
    if isinstance(value, (int, float)):
        return _double_field(2, value)
    return _bytes_field(3, str(value))


def _event(summary: bytes = b"", step: int = 0, file_version: str = "") -> bytes:
    event = _double_field(1, time.time())
    if step:
        event += _int_field(2, step)
    if file_version:
        event += _bytes_field(3, file_version)
    if summary:
        event += _bytes_field(5, summary)
    return event


HPARAMS_PLUGIN = "hparams"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"


class EventFileWriter:
    """Appends TensorBoard events to a new event file in `log_dir`.

    Args:
        log_dir: The folder of the run (created if missing).

    Example:

    ```python
    writer = EventFileWriter("logs/train")
    writer.add_scalar("epoch_loss", 0.25, step=0)
    writer.close()
    ```
    """

    _counter = 0

    def __init__(self, log_dir: str):
        os.makedirs(log_dir, exist_ok=True)
        EventFileWriter._counter += 1
        name = (
            f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}."
            f"{os.getpid()}.{EventFileWriter._counter}.v2"
        )
        self.path = os.path.join(log_dir, name)
        self._file = open(self.path, "ab")
        self._write(_event(file_version="brain.Event:2"))

    def _write(self, event: bytes) -> None:
        self._file.write(tfrecord(event))
        self._file.flush()

    def add_scalar(self, tag: str, value: float, step: int) -> None:
        """Writes a scalar, as `tf.summary.scalar` does."""
        metadata = _metadata("scalars", data_class=DATA_CLASS_SCALAR)
        self._write(_event(_summary_value(tag, _scalar_tensor(float(value)), metadata), step))

    def add_hparams_start(self, hparams: dict, group_name: str = "", start_time: float | None = None) -> None:
        """Writes the HParams plugin's `SessionStartInfo`: this run's
        hyperparameter values (numbers, strings, booleans)."""
        info = b"".join(
            _bytes_field(1, _bytes_field(1, name) + _bytes_field(2, _struct_value(value)))
            for name, value in hparams.items()
        )
        if group_name:
            info += _bytes_field(4, group_name)
        info += _double_field(5, time.time() if start_time is None else start_time)
        content = _bytes_field(3, info)  # HParamsPluginData{version=0, session_start_info}.
        self._write(_event(_summary_value(
            SESSION_START_INFO_TAG, _scalar_tensor(0.0), _metadata(HPARAMS_PLUGIN, content)
        )))

    def add_hparams_end(self, status: int = STATUS_SUCCESS) -> None:
        """Writes the HParams plugin's `SessionEndInfo`."""
        info = _int_field(1, status) + _double_field(2, time.time())
        content = _bytes_field(4, info)
        self._write(_event(_summary_value(
            SESSION_END_INFO_TAG, _scalar_tensor(0.0), _metadata(HPARAMS_PLUGIN, content)
        )))

    def close(self) -> None:
        self._file.close()
