"""`kerasverse optimize report MODEL.keras`: what pruning/clustering/quantization bought."""

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
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def run_report(args):
    import os

    if not os.path.isfile(args.model):
        print(f"error: no such model file: {args.model!r}. Pass the path of a .keras file.")
        return 2
    import keras

    import kerasverse.optimize.clustering  # noqa: F401  (registers the wrappers)
    import kerasverse.optimize.quantization  # noqa: F401
    import kerasverse.optimize.sparsity  # noqa: F401
    from kerasverse.optimize.report import summary

    model = keras.saving.load_model(args.model)
    result = summary(model)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result)
    return 0
