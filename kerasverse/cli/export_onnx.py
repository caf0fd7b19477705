"""`kerasverse export onnx MODEL.keras OUT.onnx`: ONNX export from the command line."""

import json
import os

from kerasverse.cli.export_litert import load_arrays
from kerasverse.cli.export_litert import load_model


def register(export_subparsers):
    parser = export_subparsers.add_parser(
        "onnx",
        help="export a .keras model to ONNX (float32 or int8 dynamic-quantized)",
        description="Export a .keras model to ONNX with Keras' exporter (from any backend).",
    )
    parser.add_argument("model", help="path of a .keras file")
    parser.add_argument("output", help="path of the .onnx file to write")
    parser.add_argument("--quantization", choices=["none", "int8"], default="none")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="fixed batch size (default: dynamic)",
    )
    parser.add_argument("--opset", type=int, default=None, help="ONNX opset version")
    parser.add_argument(
        "--verify-data", help=".npy/.npz inputs to compare Keras and onnxruntime on"
    )
    parser.set_defaults(func=run)


def run(args):
    from kerasverse.export import onnx

    model = load_model(args.model)
    quantization = None if args.quantization == "none" else args.quantization
    onnx.export(
        model,
        args.output,
        batch_size=args.batch_size,
        quantization=quantization,
        opset_version=args.opset,
    )
    print(
        f"wrote {args.output} ({os.path.getsize(args.output)} bytes, quantization={args.quantization})"
    )
    if args.verify_data:
        report = onnx.verify(
            model,
            args.output,
            load_arrays(args.verify_data),
            batch_size=args.batch_size,
        )
        print(json.dumps(report))
    return 0
