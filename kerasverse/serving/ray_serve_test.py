"""`--ray`: the same REST contract from Ray Serve replicas (one local Ray cluster for the module)."""

import os

import httpx
import keras
import numpy as np
import pytest

from kerasverse.serving import free_port
from kerasverse.serving.conftest import images

ray = pytest.importorskip("ray", reason="needs ray[serve]")
serve = pytest.importorskip("ray.serve", reason="needs ray[serve]")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(keras.config.backend() != "jax", reason="one Ray Serve run is enough: it runs under JAX"),
]


@pytest.fixture(scope="module")
def ray_url(model_root):
    from kerasverse.serving.ray_serve import APP_NAME
    from kerasverse.serving.ray_serve import build_ray_app

    port = free_port()
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {"KERAS_BACKEND": "jax"}})
    try:
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        app = build_ray_app([("digits", os.path.join(model_root, "digits"))], file_system_poll_wait_seconds=0)
        serve.run(app, name=APP_NAME, route_prefix="/")
        yield f"http://127.0.0.1:{port}"
    finally:
        serve.shutdown()
        ray.shutdown()


def test_ray_replicas_speak_the_same_contract(ray_url, model_root):
    x = images(2)
    expected = keras.saving.load_model(os.path.join(model_root, "digits", "1", "model.keras")).predict(x, verbose=0)
    with httpx.Client(base_url=ray_url, timeout=120) as http:
        status = http.get("/v1/models/digits/versions/1").json()
        assert status["model_version_status"][0]["state"] == "AVAILABLE"
        answer = http.post("/v1/models/digits/versions/1:predict", json={"instances": x.tolist()})
        assert answer.status_code == 200, answer.text
        np.testing.assert_allclose(answer.json()["predictions"], expected, atol=1e-5)
        missing = http.post("/v1/models/nope:predict", json={"instances": [1]})
        assert missing.status_code == 404 and missing.json() == {"error": "Servable not found for request: Latest(nope)"}
