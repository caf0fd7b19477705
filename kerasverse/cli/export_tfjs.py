"""`kerasverse export tfjs MODEL.keras OUT_DIR`: TF.js Layers export from the command line."""

import os
import sys
import zipfile


def register(export_subparsers):
    parser = export_subparsers.add_parser(
        "tfjs",
        help="export a .keras model to the TF.js Layers format (model.json + shards), without TensorFlow",
        description="Export a .keras model to the TF.js Layers format that tf.loadLayersModel reads.",
    )
    parser.add_argument("model", help="path of a .keras file")
    parser.add_argument("out_dir", help="folder to create (must not exist or be empty)")
    parser.add_argument("--quantize", choices=["uint8", "uint16", "float16"], default=None, help="store float32 weights quantized")
    parser.add_argument("--shard-size-bytes", type=int, default=4 * 1024 * 1024, help="largest weight file (default 4 MiB)")
    parser.add_argument("--check", action="store_true", help="only report what cannot be exported; write nothing")
    parser.set_defaults(func=run)


def load_keras_file(path):
    """Loads a `.keras` file, turning a damaged archive into a clear `ValueError`."""
    import keras

    if not os.path.exists(path):
        raise FileNotFoundError(f"No such .keras file: {path}")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a valid .keras file (not a zip archive): it is corrupted or another format.")
    try:
        return keras.saving.load_model(path)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as error:
        raise ValueError(f"Could not load {path}: the .keras file is corrupted or incomplete ({type(error).__name__}: {error}).") from error


def run(args):
    from kerasverse.export import tfjs

    try:
        model = load_keras_file(args.model)
        if args.check:
            problems = tfjs.check(model)
            for problem in problems:
                print(problem)
            for note in getattr(problems, "notes", []):
                print(note)
            print("exportable" if not problems else f"{len(problems)} problem(s)")
            return 0 if not problems else 1
        path = tfjs.save_model(model, args.out_dir, quantize=args.quantize, shard_size_bytes=args.shard_size_bytes)
    except (ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    files = sorted(os.listdir(args.out_dir))
    size = sum(os.path.getsize(os.path.join(args.out_dir, f)) for f in files)
    print(f"wrote {path} and {len(files) - 1} weight file(s), {size} bytes (quantize={args.quantize})")
    return 0
