"""`kerasverse` console script: `kerasverse --help`, `kerasverse info`, ...

Verbs live in their own modules under `kerasverse.cli`; each module defines
`register(subparsers)` adding its parser with `set_defaults(func=...)`. A verb
module whose optional dependencies are missing still registers, and its
`func` explains what to install.
"""

import argparse
import importlib
import sys

from kerasverse._backend import ensure_backend
from kerasverse.version import __version__

# Modules under kerasverse.cli that provide verbs, in help order.
VERB_MODULES = (
    "info", "tuner", "optimize", "export", "automl", "cloud", "pipeline", "serve", "ui",
)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="kerasverse",
        description="The Keras ecosystem for Keras 3: tuner, nlp, cv, optimize, export.",
    )
    parser.add_argument("--version", action="version", version=f"kerasverse {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB")
    for name in VERB_MODULES:
        try:
            module = importlib.import_module(f"kerasverse.cli.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"kerasverse.cli.{name}":
                continue  # The capability has not landed yet.
            raise
        module.register(subparsers)
    return parser


def main(argv=None):
    # Keras' own default, used when neither KERAS_BACKEND nor keras.json says
    # otherwise, is TensorFlow: choose a working backend before any verb
    # imports keras (`import kerasverse` did already; this is idempotent).
    ensure_backend()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0 if args.verb is None else 2
    result = args.func(args)
    return 0 if result is None else int(result)


if __name__ == "__main__":
    sys.exit(main())
