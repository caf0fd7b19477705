"""Choosing a Keras backend that works before anything imports Keras.

Keras, when neither `KERAS_BACKEND` nor `keras.json` says otherwise, picks
TensorFlow and writes that choice to `~/.keras/keras.json`. kerasverse runs on
JAX or PyTorch without TensorFlow, so on a fresh install the first
`import kerasverse.tuner` would die inside Keras. `ensure_backend()` decides
first, in this order:

1. `KERAS_BACKEND` is set: it is used as is (never overridden).
2. Keras is already imported: its backend is kept; a backend that cannot run
   kerasverse (`numpy`, `openvino`: no training) raises a clear error.
3. `keras.json` exists and names a backend that can be imported: it is used.
4. Otherwise JAX (or PyTorch when only PyTorch is installed) is chosen for
   this process (`KERAS_BACKEND` is set, so worker processes inherit it),
   with one log line saying what was chosen and how to choose another.

When `keras.json` does not exist, it is written with that default choice
(the file Keras would write says "tensorflow"), so a later plain
`import keras` works too. An existing `keras.json` is never modified.

`kerasverse/__init__.py` calls it, so every `import kerasverse.<anything>`
goes through it before any subpackage imports Keras. It is idempotent and
cheap (no backend is imported), and a subpackage may call it again:

```python
from kerasverse._backend import ensure_backend

ensure_backend()
```

Example:

>>> from kerasverse._backend import ensure_backend
>>> choice = ensure_backend()
>>> choice.backend in ("jax", "torch", "tensorflow")
True
"""

import dataclasses
import importlib.util
import json
import logging
import os
import sys

logger = logging.getLogger("kerasverse")

# Backends that can train the models kerasverse builds.
SUPPORTED_BACKENDS = ("jax", "torch", "tensorflow")
# The order in which a backend is chosen when nothing says which.
DEFAULT_BACKENDS = ("jax", "torch")

SOURCE_ENVIRONMENT = "KERAS_BACKEND"
SOURCE_KERAS_IMPORTED = "Keras already imported"
SOURCE_KERAS_JSON = "keras.json"
SOURCE_DEFAULT = "kerasverse default (no keras.json)"
SOURCE_FALLBACK = "kerasverse fallback (keras.json's backend cannot be imported)"
SOURCE_KERAS_DEFAULT = "Keras default"


@dataclasses.dataclass(frozen=True)
class BackendChoice:
    """The Keras backend of this process and where the choice came from.

    Attributes:
        backend: "jax", "torch", "tensorflow", ... (what Keras will use).
        source: One of the `SOURCE_*` strings of this module.
        config_path: The `keras.json` Keras reads in this process.
    """

    backend: str
    source: str
    config_path: str

    def describe(self):
        """A short phrase for `kerasverse info`: where the choice came from."""
        if self.source in (SOURCE_KERAS_JSON, SOURCE_DEFAULT, SOURCE_FALLBACK):
            return f"{self.source}: {self.config_path}"
        return self.source


_choice = None


def keras_config_path(environ=None):
    """The `keras.json` path Keras reads: `$KERAS_HOME/keras.json`, else
    `~/.keras/keras.json` (`/tmp/.keras` when the home is not writable)."""
    environ = os.environ if environ is None else environ
    if "KERAS_HOME" in environ:
        keras_dir = environ["KERAS_HOME"]
    else:
        base = os.path.expanduser("~")
        if not os.access(base, os.W_OK):
            base = "/tmp"
        keras_dir = os.path.join(base, ".keras")
    return os.path.expanduser(os.path.join(keras_dir, "keras.json"))


def backend_is_importable(name):
    """Whether the module of backend `name` can be imported, without
    importing it (a real import of JAX, torch or TensorFlow takes seconds;
    Keras does it next anyway)."""
    module = {"torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}.get(name, name)
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return False
    if spec is None or spec.origin in (None, "namespace"):
        # A namespace package (a leftover folder) is not an install.
        return False
    if module == "tensorflow":
        # A `tensorflow` folder without its `python` package (a partial
        # uninstall, a plugin) fails in Keras with "No module named
        # 'tensorflow.python'".
        locations = spec.submodule_search_locations or []
        return any(os.path.exists(os.path.join(p, "python", "__init__.py")) for p in locations)
    if module == "jax":
        try:
            return importlib.util.find_spec("jaxlib") is not None
        except (ImportError, ValueError):
            return False
    return True


def default_backend():
    """JAX if importable, else PyTorch; None when neither is installed."""
    for name in DEFAULT_BACKENDS:
        if backend_is_importable(name):
            return name
    return None


def _read_config(path):
    try:
        with open(path) as f:
            config = json.load(f)
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def _write_default_config(path, backend):
    """Writes the file Keras would write, with `backend`; never replaces one."""
    config = {
        "floatx": "float32",
        "epsilon": 1e-07,
        "backend": backend,
        "image_data_format": "channels_last",
    }
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "x") as f:
            f.write(json.dumps(config, indent=4))
        return True
    except OSError:  # Exists (another process won), or not writable.
        return False


def _imported_keras_backend():
    """The backend of an already imported Keras, else None."""
    config = sys.modules.get("keras.src.backend.config")
    return None if config is None else config.backend()


def _check_imported_keras(backend):
    if backend not in SUPPORTED_BACKENDS:
        raise RuntimeError(
            f"Keras was imported before kerasverse with the {backend!r} backend, which "
            "cannot train the models kerasverse builds. Expected one of "
            f"{SUPPORTED_BACKENDS}. Set KERAS_BACKEND=jax (or torch) before importing "
            f"keras, e.g. `KERAS_BACKEND=jax python script.py`. Received: backend={backend!r}"
        )
    return backend


def ensure_backend(environ=None):
    """Makes sure Keras will use a backend that works; returns the choice.

    Call it before importing Keras (kerasverse's own `__init__` does). It is
    idempotent: the first call decides, later calls return that decision.

    Args:
        environ: The environment to read and update (default `os.environ`;
            tests pass a dict).

    Returns:
        A `BackendChoice`.

    Raises:
        RuntimeError: Keras is already imported with a backend that cannot
            run kerasverse (`numpy`, `openvino`).

    Example:

    ```python
    from kerasverse._backend import ensure_backend

    ensure_backend()  # Before anything imports keras.
    import keras
    ```
    """
    global _choice
    use_cache = environ is None
    if use_cache and _choice is not None:
        return _choice
    environ = os.environ if environ is None else environ
    path = keras_config_path(environ)
    choice = _decide(environ, path, _imported_keras_backend())
    if use_cache:
        _choice = choice
    return choice


def _decide(environ, path, keras_backend):
    if environ.get("KERAS_BACKEND"):
        if not os.path.exists(path) and keras_backend is None:
            default = default_backend()
            if default:
                _write_default_config(path, default)
        return BackendChoice(environ["KERAS_BACKEND"], SOURCE_ENVIRONMENT, path)
    if keras_backend is not None:
        return BackendChoice(_check_imported_keras(keras_backend), SOURCE_KERAS_IMPORTED, path)
    exists = os.path.exists(path)
    if exists:
        wanted = _read_config(path).get("backend", "tensorflow")
        if backend_is_importable(wanted):
            return BackendChoice(wanted, SOURCE_KERAS_JSON, path)
    default = default_backend()
    if default is None:
        if backend_is_importable("tensorflow"):
            return BackendChoice("tensorflow", SOURCE_KERAS_DEFAULT, path)
        logger.warning(
            "kerasverse: no Keras backend is installed: install JAX "
            "(`pip install 'jax[cpu]'`) or PyTorch (`pip install 'kerasverse[torch]'`)."
        )
        return BackendChoice("tensorflow", SOURCE_KERAS_DEFAULT, path)
    environ["KERAS_BACKEND"] = default
    other = "torch" if default == "jax" else "jax"
    if exists:
        logger.warning(
            f"kerasverse: {path} asks for the {wanted!r} Keras backend, which cannot be "
            f"imported here; using {default!r} for this run. To choose another, set "
            f"KERAS_BACKEND={other} (or edit \"backend\" in that file)."
        )
        return BackendChoice(default, SOURCE_FALLBACK, path)
    written = _write_default_config(path, default)
    logger.warning(
        f"kerasverse: KERAS_BACKEND is not set and {path} does not exist; using the "
        f"{default!r} Keras backend"
        + (f" (saved to {path})" if written else "")
        + f". To choose another, set KERAS_BACKEND={other}"
        + (" or edit \"backend\" in that file." if written else ".")
    )
    return BackendChoice(default, SOURCE_DEFAULT, path)
