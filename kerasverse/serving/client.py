"""`Client`: a small Python client for TF Serving's REST API (this server or TF Serving itself)."""

import http.client
import json
import threading
import urllib.parse

import numpy as np


class ServingClientError(Exception):
    """A non-2xx answer: `status` (HTTP) and `message` (the server's `error`)."""

    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class Client:
    """Talks to `/v1/models/...` over HTTP keep-alive connections (one per thread).

    Args:
        url: the server, e.g. `"http://127.0.0.1:8501"`.
        token: a bearer token, for servers started with `--auth_token_file`.
        timeout: seconds per request.

    Example:

    ```python
    from kerasverse.serving import Client

    client = Client("http://127.0.0.1:8501")
    probabilities = client.predict("digits", x_test[:4])  # a numpy array
    client.status("digits")  # [{"version": "1", "state": "AVAILABLE", ...}]
    ```
    """

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"Client needs an http(s) URL such as 'http://127.0.0.1:8501'. Received: url={url!r}")
        self.url = url.rstrip("/")
        self._parsed = parsed
        self.token = token
        self.timeout = timeout
        self._local = threading.local()

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            cls = http.client.HTTPSConnection if self._parsed.scheme == "https" else http.client.HTTPConnection
            connection = cls(self._parsed.hostname, self._parsed.port, timeout=self.timeout)
            self._local.connection = connection
        return connection

    def request(self, method: str, path: str, document=None):
        """Sends one request; returns the parsed JSON answer or raises `ServingClientError`."""
        body = None if document is None else json.dumps(document, allow_nan=True).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in range(2):
            connection = self._connection()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                connection.close()
                self._local.connection = None
                if attempt:
                    raise
        answer = json.loads(payload) if payload else {}
        if response.status >= 300:
            message = answer.get("error", payload.decode("utf-8", "replace")) if isinstance(answer, dict) else str(answer)
            raise ServingClientError(response.status, message)
        return answer

    @staticmethod
    def _model_path(name: str, version: int | None, label: str | None) -> str:
        path = f"/v1/models/{urllib.parse.quote(name, safe='')}"
        if version is not None:
            path += f"/versions/{int(version)}"
        elif label is not None:
            path += f"/labels/{urllib.parse.quote(label, safe='')}"
        return path

    def predict(self, name: str, instances, version: int | None = None, label: str | None = None, columnar: bool = False):
        """Runs `:predict`.

        Args:
            name: the model name.
            instances: an array (batch first), a dict of arrays for named
                inputs, or a list of rows (dicts for raw pipeline rows).
            version: a version number (default: the latest).
            label: a version label instead of a version.
            columnar: send `{"inputs": ...}` instead of `{"instances": ...}`.

        Returns:
            A numpy array (or a dict of arrays for several outputs).
        """
        if isinstance(instances, dict):
            values = {key: np.asarray(value).tolist() for key, value in instances.items()}
            if columnar:
                document = {"inputs": values}
            else:
                size = len(next(iter(values.values())))
                document = {"instances": [{key: value[i] for key, value in values.items()} for i in range(size)]}
        else:
            values = instances.tolist() if isinstance(instances, np.ndarray) else list(instances)
            document = {"inputs": values} if columnar else {"instances": values}
        answer = self.request("POST", self._model_path(name, version, label) + ":predict", document)
        result = answer["outputs"] if columnar else answer["predictions"]
        if isinstance(result, dict):
            return {key: np.asarray(value) for key, value in result.items()}
        if result and isinstance(result[0], dict):
            return {key: np.asarray([row[key] for row in result]) for key in result[0]}
        return np.asarray(result)

    def status(self, name: str, version: int | None = None, label: str | None = None) -> list[dict]:
        """`GET /v1/models/NAME[...]`: the `model_version_status` list."""
        return self.request("GET", self._model_path(name, version, label))["model_version_status"]

    def metadata(self, name: str, version: int | None = None) -> dict:
        """`GET /v1/models/NAME[...]/metadata`."""
        return self.request("GET", self._model_path(name, version, None) + "/metadata")

    def wait_until_available(self, name: str, timeout: float = 60.0) -> None:
        """Polls the status route until a version is AVAILABLE."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            try:
                if any(s["state"] == "AVAILABLE" for s in self.status(name)):
                    return
            except (ServingClientError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"No AVAILABLE version of {name!r} at {self.url} after {timeout} s.")
            time.sleep(0.1)



