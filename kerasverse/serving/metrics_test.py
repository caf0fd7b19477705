"""`Metrics.timed_request`: what REST and gRPC count for each request."""

import pytest

from kerasverse.serving.errors import ServingError
from kerasverse.serving.metrics import REQUEST_COUNT
from kerasverse.serving.metrics import Metrics

pytestmark = pytest.mark.host


def _count(text, **labels):
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    for line in text.splitlines():
        if line.startswith(REQUEST_COUNT + "{" + wanted + "}"):
            return int(float(line.rsplit(" ", 1)[1]))
    return 0


def test_timed_request_counts_status_and_the_version_chosen():
    metrics = Metrics()
    with metrics.timed_request("m", None, "predict") as record:
        record.version = "3"
    with pytest.raises(ServingError):
        with metrics.timed_request("m", 2, "predict"):
            raise ServingError("bad input", "INVALID_ARGUMENT")
    with pytest.raises(RuntimeError):
        with metrics.timed_request("m", 2, "classify", entrypoint="GRPC"):
            raise RuntimeError("runtime failed")
    with metrics.timed_request("m", 2, "metadata", record=False):
        pass
    text = metrics.render()
    common = {"model_name": "m"}
    assert _count(text, **common, version="3", API="predict", entrypoint="REST", status="OK") == 1
    assert _count(text, **common, version="2", API="predict", entrypoint="REST", status="INVALID_ARGUMENT") == 1
    assert _count(text, **common, version="2", API="classify", entrypoint="GRPC", status="INTERNAL") == 1
    assert "metadata" not in text
