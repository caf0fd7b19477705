"""`kerasverse tuner report DIR`: write the HTML report of a saved study."""

import os


def _report(args):
    from kerasverse.tuner.report import load_study
    from kerasverse.tuner.report import write_report

    oracle = load_study(args.study, project_name=args.project_name)
    output = args.output or os.path.join(
        args.study if "://" not in args.study else ".", "report.html"
    )
    write_report(oracle, output, title=oracle.project_name or "study")
    print(f"Wrote {output} ({len(oracle.trials)} trials).")
    return 0


def register(subparsers):
    parser = subparsers.add_parser("tuner", help="inspect hyperparameter studies")
    tuner_subparsers = parser.add_subparsers(dest="tuner_command", metavar="COMMAND")
    report = tuner_subparsers.add_parser(
        "report", help="write an HTML report of a study (project directory or database URL)"
    )
    report.add_argument("study", help="a tuner project directory (with study.db) or a database URL")
    report.add_argument("-o", "--output", help="the HTML file (default: DIR/report.html)")
    report.add_argument("--project-name", help="the study name (needed for a URL holding several)")
    report.set_defaults(func=_report)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)
