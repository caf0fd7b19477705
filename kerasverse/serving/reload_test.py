"""Hot reload under concurrent load: no failed request across swaps, incomplete and failing versions."""

import os
import threading
import time

import httpx
import keras
import numpy as np

from kerasverse.serving import BatchingParameters
from kerasverse.serving import ModelServer
from kerasverse.serving.conftest import images
from kerasverse.serving.conftest import save_version
from kerasverse.serving.conftest import small_model


def _lambda_model():
    inputs = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Lambda(lambda t: t * 2.0)(x)
    return keras.Model(inputs, keras.layers.Dense(3, name="probs")(x))


def _wait(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the server")
        time.sleep(0.05)


def _states(http):
    return {s["version"]: (s["state"], s["status"]["error_code"], s["status"]["error_message"])
            for s in http.get("/v1/models/digits").json()["model_version_status"]}


def test_swaps_under_load_fail_no_request(tmp_path):
    base = str(tmp_path / "digits")
    models = {v: small_model(seed=v) for v in (1, 2, 3)}
    save_version(base, 1, models[1])
    x = images(3)
    expected = {v: np.asarray(m.predict(x, verbose=0)) for v, m in models.items()}
    batching = BatchingParameters(max_batch_size=8, batch_timeout_micros=2000)
    server = ModelServer([("digits", base)], rest_api_port=0, file_system_poll_wait_seconds=0.2, batching_parameters=batching)
    failures, served, stop = [], set(), threading.Event()

    def load():
        with httpx.Client(base_url=server.url, timeout=60) as client:
            while not stop.is_set():
                answer = client.post("/v1/models/digits:predict", json={"instances": x.tolist()})
                if answer.status_code != 200:
                    failures.append(answer.text)
                    continue
                got = np.asarray(answer.json()["predictions"])
                match = [v for v, e in expected.items() if np.allclose(got, e, atol=1e-5)]
                if not match:
                    failures.append(f"predictions match no version: {got}")
                served.update(match)

    with server, httpx.Client(base_url=server.url, timeout=60) as http:
        clients = [threading.Thread(target=load) for _ in range(4)]
        for thread in clients:
            thread.start()
        try:
            save_version(base, 2, models[2])
            _wait(lambda: _states(http).get("1", ("",))[0] == "END" and _states(http)["2"][0] == "AVAILABLE")

            # A folder whose model file is still being written is not loaded.
            os.makedirs(os.path.join(base, "3"))
            with open(os.path.join(base, "3", "model.keras"), "wb") as file:
                file.write(b"PK\x03\x04 half a zip")
            time.sleep(0.6)
            assert "3" not in _states(http)
            models[3].save(os.path.join(base, "3", "model.keras"))
            _wait(lambda: _states(http).get("2", ("",))[0] == "END" and _states(http).get("3", ("",))[0] == "AVAILABLE")

            # A version that fails to load is reported; the previous one keeps serving.
            save_version(base, 4, _lambda_model())
            _wait(lambda: "4" in _states(http) and _states(http)["4"][0] == "END")
            time.sleep(0.5)
        finally:
            stop.set()
            for thread in clients:
                thread.join()
        states = _states(http)
        assert states["3"] == ("AVAILABLE", "OK", "")
        assert states["4"][1] == "UNKNOWN" and "--unsafe_deserialization" in states["4"][2]
        assert states["1"] == ("END", "OK", "") and states["2"] == ("END", "OK", "")
        latest = http.post("/v1/models/digits:predict", json={"instances": x.tolist()}).json()["predictions"]
        np.testing.assert_allclose(latest, expected[3], atol=1e-5)
        metrics = http.get("/monitoring/prometheus/metrics").text
        assert ":tensorflow:serving:batching_session:processed_batch_size_bucket" in metrics
        runner = server.manager.models["digits"].versions[3].runner
        assert runner.seen_sizes <= set(batching.buckets)
    assert failures == []
    assert served == {1, 2, 3}
