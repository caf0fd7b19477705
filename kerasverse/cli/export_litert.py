"""`kerasverse export litert MODEL.keras OUT.tflite`: LiteRT export from the command line."""

import json
import os
import zipfile


def register(export_subparsers):
    parser = export_subparsers.add_parser(
        "litert",
        help="convert a .keras model to LiteRT (.tflite), optionally quantized",
        description="Convert a .keras model to LiteRT from any Keras backend (needs the [litert] extra).",
    )
    parser.add_argument("model", help="path of a .keras file")
    parser.add_argument("output", help="path of the .tflite file to write")
    parser.add_argument(
        "--quantization",
        choices=["none", "dynamic", "float16", "int8"],
        default="none",
        help="none (float32), dynamic (int8 weights), float16, or int8 (full integer; needs --representative-data)",
    )
    parser.add_argument(
        "--representative-data",
        help=".npy file (or .npz with one array per input, in input order) of typical inputs, for int8",
    )
    parser.add_argument(
        "--io-dtype",
        choices=["int8", "uint8"],
        default="int8",
        help="int8 model input/output type",
    )
    parser.add_argument(
        "--per-tensor",
        action="store_true",
        help="int8: one scale per weight tensor instead of per output channel (smaller file)",
    )
    parser.add_argument("--num-calibration-samples", type=int, default=200)
    parser.add_argument(
        "--verify",
        action="store_true",
        help="run the data through Keras and LiteRT and compare",
    )
    parser.set_defaults(func=run)


def load_model(path):
    """Loads a `.keras` file, importing the kerasverse modules its config names first."""
    import importlib

    import keras

    if not os.path.exists(path):
        raise SystemExit(f"error: no model file at {path!r}")
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError):
        raise SystemExit(
            f"error: {path!r} is not a .keras file (a zip with config.json)."
        ) from None
    for module in sorted(_modules(config)):
        if module.split(".")[0] == "kerasverse":
            importlib.import_module(module)
    model = keras.saving.load_model(path, compile=False)
    try:
        from kerasverse.optimize.quantization import get_quantization_ranges

        ranges = get_quantization_ranges(path)
    except Exception:  # No optimize subpackage, or no ranges stored in the file.
        ranges = None
    if ranges:
        model.quantization_ranges = ranges
    return model


def _modules(config):
    if isinstance(config, dict):
        if isinstance(config.get("module"), str):
            yield config["module"]
        for value in config.values():
            yield from _modules(value)
    elif isinstance(config, list):
        for value in config:
            yield from _modules(value)


def load_arrays(path):
    """A numpy array from `.npy`, or the list of arrays of an `.npz` (in stored order)."""
    import numpy as np

    if path is None:
        return None
    if not os.path.exists(path):
        raise SystemExit(f"error: no data file at {path!r}")
    data = np.load(path)
    if isinstance(data, np.ndarray):
        return data
    arrays = [data[name] for name in data.files]
    return arrays[0] if len(arrays) == 1 else arrays


def run(args):
    from kerasverse.export import litert

    model = load_model(args.model)
    data = load_arrays(args.representative_data)
    quantization = None if args.quantization == "none" else args.quantization
    litert.export(
        model,
        args.output,
        quantization=quantization,
        representative_data=data,
        io_dtype=args.io_dtype,
        num_calibration_samples=args.num_calibration_samples,
        per_channel=not args.per_tensor,
    )
    print(
        f"wrote {args.output} ({os.path.getsize(args.output)} bytes, quantization={args.quantization})"
    )
    if args.verify:
        if data is None:
            raise SystemExit(
                "error: --verify needs --representative-data to run through both models."
            )
        report = litert.verify(model, args.output, data)
        print(json.dumps(report))
    return 0
