"""`run`: serve the UI with uvicorn (what `kerasverse ui` calls)."""

from __future__ import annotations

from collections.abc import Iterable


def default_sections():
    """The optional page sections (pipelines, models) whose readers import."""
    from kerasverse.ui.pipeline_section import PipelineSection
    from kerasverse.ui.server_section import ServerSection

    return [PipelineSection(), ServerSection()]


def run(
    roots: Iterable[str] = (),
    port: int = 8080,
    host: str = "127.0.0.1",
    server_urls: Iterable[str] = (),
    log_level: str = "warning",
) -> None:
    """Serves the UI until interrupted.

    Args:
        roots: Folders, study `.db` files or database URLs to show.
        port: The TCP port (0: any free port).
        host: The address to bind; `127.0.0.1` keeps the page on this machine.
        server_urls: Base URLs of running `kerasverse serve` servers.
    """
    import uvicorn

    from kerasverse.ui.app import create_app

    app = create_app(roots, server_urls, extra_sections=default_sections())
    config = uvicorn.Config(app, host=host, port=int(port), log_level=log_level)
    server = uvicorn.Server(config)
    print(f"kerasverse ui: http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    server.run()


class BackgroundServer:
    """The UI served by uvicorn on a background thread (notebooks, tests).

    Example:

    ```python
    server = BackgroundServer(create_app(["my_dir"]))
    print(server.url)      # http://127.0.0.1:PORT
    server.stop()
    ```
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, timeout: float = 30.0):
        import socket
        import threading
        import time

        import uvicorn

        if port == 0:
            with socket.socket() as probe:
                probe.bind((host, 0))
                port = probe.getsockname()[1]
        self.url = f"http://{host}:{port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, name="kerasverse-ui", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The UI server did not start on {self.url}.")
            time.sleep(0.05)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
