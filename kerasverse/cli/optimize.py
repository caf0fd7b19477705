"""`kerasverse optimize report MODEL.keras`: what pruning/clustering/quantization bought.

`kerasverse optimize compress MODEL.keras OUT.kvz [--int8]` writes the model
with `kerasverse.optimize.save_compressed` (clustered kernels as codebook +
indices, pruned ones as bitmap + non-zeros).
"""

import json


def register(subparsers):
    parser = subparsers.add_parser(
        "optimize",
        help="inspect optimized models (sparsity, unique values, raw and gzipped size)",
    )
    verbs = parser.add_subparsers(dest="optimize_verb", metavar="SUBVERB")
    report = verbs.add_parser(
        "report",
        help="per-layer sparsity, unique values, raw and gzipped bytes, parameter count",
    )
    report.add_argument("model", help="path to a .keras model file")
    report.add_argument("--json", action="store_true", help="print JSON instead of a table")
    report.set_defaults(func=run_report)
    compress = verbs.add_parser(
        "compress",
        help="save a .keras model as a compressed .kvz file (codebooks for clusters, bitmaps for zeros)",
    )
    compress.add_argument("model", help="path to a .keras model file (pruning/clustering wrappers stripped)")
    compress.add_argument("output", help="path of the compressed file to write (.kvz)")
    compress.add_argument("--int8", action="store_true", help="store unclustered kernels as per-channel int8 (lossy)")
    compress.set_defaults(func=run_compress)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def _load(path):
    import keras

    import kerasverse.optimize.clustering  # noqa: F401  (registers the wrappers)
    import kerasverse.optimize.quantization  # noqa: F401
    import kerasverse.optimize.sparsity  # noqa: F401

    return keras.saving.load_model(path)


def run_compress(args):
    import collections
    import os

    if not os.path.isfile(args.model):
        print(f"error: no such model file: {args.model!r}. Pass the path of a .keras file.")
        return 2
    from kerasverse.optimize.compressed_file import save_compressed

    encodings = save_compressed(_load(args.model), args.output, quantize="int8" if args.int8 else None)
    counts = collections.Counter(encodings.values())
    before, after = os.path.getsize(args.model), os.path.getsize(args.output)
    print(f"wrote {args.output}: {after} bytes ({before / after:.2f}x smaller than {args.model}, {before} bytes)")
    print("weights by encoding: " + ", ".join(f"{name} {count}" for name, count in sorted(counts.items())))
    return 0


def run_report(args):
    import os

    if not os.path.isfile(args.model):
        print(f"error: no such model file: {args.model!r}. Pass the path of a .keras file.")
        return 2
    from kerasverse.optimize.report import summary

    result = summary(_load(args.model))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result)
    return 0
