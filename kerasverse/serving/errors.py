"""`ServingError`: an error with a gRPC-style code, mapped to TF Serving's HTTP status."""

# TF Serving maps its (gRPC) status codes to HTTP status codes in
# `model_servers/http_server.cc`; the same mapping, for the codes we raise.
HTTP_STATUS = {
    "OK": 200,
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "INVALID_ARGUMENT": 400,
    "DEADLINE_EXCEEDED": 504,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "PERMISSION_DENIED": 403,
    "RESOURCE_EXHAUSTED": 429,
    "FAILED_PRECONDITION": 400,
    "ABORTED": 409,
    "OUT_OF_RANGE": 400,
    "UNIMPLEMENTED": 501,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DATA_LOSS": 500,
    "UNAUTHENTICATED": 401,
}


class ServingError(Exception):
    """An error answered as `{"error": message}` with the HTTP status of `code`.

    Args:
        message: the text of the `error` field.
        code: a gRPC status code name (`"INVALID_ARGUMENT"`, `"NOT_FOUND"`, ...);
            the HTTP status follows TF Serving's mapping (400, 404, ...).
        http_status: overrides the mapped HTTP status (413 for too large a body).

    Example:

    >>> error = ServingError("Could not find any versions of model foo", "NOT_FOUND")
    >>> error.http_status
    404
    """

    def __init__(self, message: str, code: str = "INVALID_ARGUMENT", http_status: int | None = None):
        if code not in HTTP_STATUS:
            raise ValueError(f"Unknown status code. Received: code={code!r}; expected one of {sorted(HTTP_STATUS)}.")
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status or HTTP_STATUS[code]


def invalid_argument(message: str) -> ServingError:
    return ServingError(message, "INVALID_ARGUMENT")


def not_found(message: str) -> ServingError:
    return ServingError(message, "NOT_FOUND")
