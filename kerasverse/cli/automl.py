"""`kerasverse automl leaderboard DIR`: the trials of a saved AutoModel search."""

import types


def _leaderboard(args):
    from kerasverse.automl.leaderboard import leaderboard
    from kerasverse.tuner.report import load_study

    oracle = load_study(args.project_dir)
    board = leaderboard(types.SimpleNamespace(oracle=oracle, project_dir=args.project_dir))
    if args.csv:
        board.to_csv(args.csv, index=False)
        print(f"Wrote {args.csv} ({len(board)} trials).")
    else:
        print(board.to_string(index=False, max_colwidth=80))
    return 0


def register(subparsers):
    parser = subparsers.add_parser("automl", help="inspect AutoModel searches (kerasverse.automl)")
    automl_subparsers = parser.add_subparsers(dest="automl_command", metavar="COMMAND")
    board = automl_subparsers.add_parser("leaderboard", help="print the trials of a search, best first")
    board.add_argument("project_dir", help="the AutoModel's project directory (directory/project_name)")
    board.add_argument("--csv", help="write the table to this CSV file instead")
    board.set_defaults(func=_leaderboard)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)
