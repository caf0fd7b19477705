"""`ModelServer`: starts the model manager, the HTTP server (uvicorn) and, with a gRPC port, TF Serving's gRPC API."""

import logging
import socket
import threading
import time

from kerasverse.serving.app import DEFAULT_MAX_REQUEST_BYTES
from kerasverse.serving.app import build_app
from kerasverse.serving.batching import BatchingParameters
from kerasverse.serving.config import ModelConfig
from kerasverse.serving.loader import LoadOptions
from kerasverse.serving.metrics import Metrics
from kerasverse.serving.model_manager import ModelManager

logger = logging.getLogger("kerasverse.serving")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on `host` now (for tests and parallel servers)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class ModelServer:
    """TF Serving's model server for Keras 3 models: REST API, KServe v2, Prometheus routes and gRPC.

    Args:
        models: `ModelConfig`s (or `(name, base_path)` pairs).
        host: the address to bind; `127.0.0.1` unless you mean to expose it.
        rest_api_port: the HTTP port (0 picks a free one).
        batching_parameters: `BatchingParameters` to merge concurrent
            requests (`--enable_batching`), or None.
        file_system_poll_wait_seconds: seconds between polls of the model
            folders (0: poll once at start).
        load_options: `LoadOptions` (safe mode, runtime, threads).
        auth_token: if set, requests need `Authorization: Bearer <token>`.
        max_request_bytes: the request body limit (413 above it).
        rest_api_num_threads: worker threads for request work.
        grpc_port: TF Serving's gRPC API (`--port`) on this port (0 picks a
            free one); None serves no gRPC.
        grpc_max_threads: threads handling gRPC calls.

    Example:

    ```python
    from kerasverse.serving import Client, ModelServer

    with ModelServer([("digits", "models/digits")]) as server:
        print(Client(server.url).predict("digits", x[:2]))
    ```
    """

    def __init__(
        self,
        models,
        *,
        host: str = "127.0.0.1",
        rest_api_port: int = 8501,
        batching_parameters: BatchingParameters | None = None,
        file_system_poll_wait_seconds: float = 1.0,
        load_options: LoadOptions | None = None,
        auth_token: str | None = None,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
        rest_api_num_threads: int = 64,
        grpc_port: int | None = None,
        grpc_max_threads: int = 16,
    ):
        configs = [m if isinstance(m, ModelConfig) else ModelConfig(*m) for m in models]
        if not configs:
            raise ValueError("ModelServer needs at least one model. Pass [ModelConfig(name, base_path)] or [(name, base_path)].")
        self.host = host
        self.port = rest_api_port or free_port(host)
        self.metrics = Metrics()
        self.manager = ModelManager(
            configs, options=load_options or LoadOptions(), batching=batching_parameters,
            file_system_poll_wait_seconds=file_system_poll_wait_seconds, on_batch=self.metrics.record_batch,
        )
        self.app = build_app(self.manager, self.metrics, auth_token, max_request_bytes, rest_api_num_threads)
        self._server = None
        self._thread: threading.Thread | None = None
        self.grpc = None
        if grpc_port is not None:
            from kerasverse.serving.grpc_server import GrpcServer

            self.grpc = GrpcServer(self.manager, self.metrics, host=host, port=grpc_port, auth_token=auth_token,
                                   max_request_bytes=max_request_bytes, max_threads=grpc_max_threads)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def grpc_target(self) -> str | None:
        """`host:port` of the gRPC API (for `grpc.insecure_channel`), or None without one."""
        return self.grpc.target if self.grpc is not None else None

    def _uvicorn(self):
        import uvicorn

        config = uvicorn.Config(
            self.app, host=self.host, port=self.port, log_level="warning", access_log=False,
            timeout_keep_alive=30, lifespan="off",
        )
        return uvicorn.Server(config)

    def serve_forever(self) -> None:
        """Loads the models, then serves until interrupted (Ctrl-C)."""
        self.manager.start()
        if self.grpc is not None:
            self.grpc.start()
        self._server = self._uvicorn()
        try:
            self._server.run()
        finally:
            if self.grpc is not None:
                self.grpc.stop()
            self.manager.close()

    def start(self, timeout: float = 60.0) -> "ModelServer":
        """Loads the models and serves from a background thread; returns once the port answers."""
        self.manager.start()
        if self.grpc is not None:
            self.grpc.start()
        self._server = self._uvicorn()
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="kerasverse-serving-http")
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The server did not start on {self.url} (port in use?).")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.grpc is not None:
            self.grpc.stop()
        self.manager.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
