"""`kerasverse export FORMAT ...`: one sub-verb per exporter.

Each exporter's CLI lives in `kerasverse/cli/export_<format>.py` and defines
`register(export_subparsers)`; this module only gathers them.
"""

import importlib

EXPORT_MODULES = ("export_tfjs", "export_litert", "export_onnx", "export_report")


def register(subparsers):
    parser = subparsers.add_parser("export", help="export a .keras model to TF.js, LiteRT or ONNX")
    export_subparsers = parser.add_subparsers(dest="export_format", metavar="FORMAT")
    for name in EXPORT_MODULES:
        try:
            module = importlib.import_module(f"kerasverse.cli.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"kerasverse.cli.{name}":
                continue  # That exporter has not landed yet.
            raise
        module.register(export_subparsers)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)
