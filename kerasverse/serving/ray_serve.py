"""`--ray`: the same server (routes, JSON, errors) as Ray Serve replicas behind Ray's HTTP proxy."""

import time

from kerasverse.serving.app import DEFAULT_MAX_REQUEST_BYTES
from kerasverse.serving.app import build_app
from kerasverse.serving.batching import BatchingParameters
from kerasverse.serving.config import ModelConfig
from kerasverse.serving.loader import LoadOptions
from kerasverse.serving.metrics import Metrics
from kerasverse.serving.model_manager import ModelManager

APP_NAME = "kerasverse-serving"


class ServingReplica:
    """One Ray Serve replica: its own `ModelManager` (polling the same folders) and the Starlette app.

    Everything it is built from is a small picklable value (configs, options),
    so Ray ships it to each replica, which loads the models itself.
    """

    def __init__(self, configs, batching_parameters, load_options, auth_token, max_request_bytes, file_system_poll_wait_seconds):
        self.configs = configs
        self.batching_parameters = batching_parameters
        self.load_options = load_options
        self.auth_token = auth_token
        self.max_request_bytes = max_request_bytes
        self.file_system_poll_wait_seconds = file_system_poll_wait_seconds
        self.manager = None

    def __serve_build_asgi_app__(self):
        metrics = Metrics()
        self.manager = ModelManager(
            self.configs, options=self.load_options, batching=self.batching_parameters,
            file_system_poll_wait_seconds=self.file_system_poll_wait_seconds, on_batch=metrics.record_batch,
        )
        self.manager.start()
        return build_app(self.manager, metrics, self.auth_token, self.max_request_bytes)


def build_ray_app(
    models,
    *,
    batching_parameters: BatchingParameters | None = None,
    load_options: LoadOptions | None = None,
    auth_token: str | None = None,
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
    file_system_poll_wait_seconds: float = 1.0,
    num_replicas: int = 1,
):
    """A Ray Serve application (`serve.run(...)`-able) serving `models` with `num_replicas` replicas.

    Args:
        models: `ModelConfig`s or `(name, base_path)` pairs.
        batching_parameters, load_options, auth_token, max_request_bytes,
            file_system_poll_wait_seconds: as for `ModelServer`, per replica.
        num_replicas: Ray Serve replicas; Ray's proxy spreads requests over them.

    Example:

    ```python
    from ray import serve

    serve.start(http_options={"host": "127.0.0.1", "port": 8501})
    serve.run(build_ray_app([("digits", "models/digits")], num_replicas=2), route_prefix="/")
    ```
    """
    try:
        from ray import serve
    except ImportError:
        raise ImportError("--ray needs Ray Serve: `pip install 'kerasverse[ray]'` (ray[serve]).") from None
    configs = [m if isinstance(m, ModelConfig) else ModelConfig(*m) for m in models]
    if isinstance(num_replicas, bool) or not isinstance(num_replicas, int) or num_replicas < 1:
        raise ValueError(f"`num_replicas` must be a positive integer. Received: num_replicas={num_replicas!r}")
    ingress = serve.ingress()(ServingReplica)
    deployment = serve.deployment(ingress, name=APP_NAME, num_replicas=num_replicas, max_ongoing_requests=256)
    return deployment.bind(configs, batching_parameters, load_options or LoadOptions(), auth_token, max_request_bytes,
                           file_system_poll_wait_seconds)


def serve_with_ray(models, *, host: str = "127.0.0.1", port: int = 8501, num_replicas: int = 1, **kwargs) -> int:
    """`kerasverse serve --ray`: starts (or joins) Ray, deploys the replicas, serves until Ctrl-C."""
    import ray
    from ray import serve

    if not ray.is_initialized():
        ray.init(include_dashboard=False, ignore_reinit_error=True)
    serve.start(http_options={"host": host, "port": port})
    serve.run(build_ray_app(models, num_replicas=num_replicas, **kwargs), name=APP_NAME, route_prefix="/")
    print(f"kerasverse serve --ray: {num_replicas} replica(s) on http://{host}:{port}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        serve.shutdown()
    return 0
