"""kerasverse: the Keras ecosystem, rebuilt for Keras 3.

Importing `kerasverse` is cheap: each subpackage (`tuner`, `nlp`, `cv`,
`optimize`, `export`, `models`, `testing`) is imported on first attribute
access, so `import kerasverse` does not pull in Keras or a backend. It
does choose the Keras backend (`kerasverse._backend.ensure_backend`: the
explicit `KERAS_BACKEND`, else a working `keras.json`, else JAX), before any
subpackage imports Keras.

Example:

>>> import kerasverse
>>> kerasverse.__version__ == kerasverse.version.__version__
True
"""

import importlib

from kerasverse import _tensorflow_guard
from kerasverse import version
from kerasverse._backend import ensure_backend
from kerasverse.version import __version__

# Before any subpackage imports Keras (Keras' own default is TensorFlow).
ensure_backend()
# Keras' "is TensorFlow available?" checks on save and seeding must not import
# it when nothing uses it (see `kerasverse/_tensorflow_guard.py`).
_tensorflow_guard.install()

SUBPACKAGES = (
    "tuner", "models", "nlp", "cv", "optimize", "export", "testing", "cli",
    "automl", "cloud", "pipeline", "serving", "ui",
)

__all__ = ["__version__", "version", *SUBPACKAGES]


def __getattr__(name):
    if name in SUBPACKAGES:
        module = importlib.import_module(f"kerasverse.{name}")
        globals()[name] = module
        return module
    raise AttributeError(
        f"module 'kerasverse' has no attribute '{name}'. "
        f"Available subpackages: {', '.join(SUBPACKAGES)}."
    )


def __dir__():
    return sorted(set(globals()) | set(SUBPACKAGES))
