"""`kerasverse ui [ROOT...]`: one local page over studies, pipeline runs and servers."""


def _run(args):
    from kerasverse.ui import run

    run(args.roots, port=args.port, host=args.host, server_urls=args.server or [])
    return 0


def register(subparsers):
    parser = subparsers.add_parser(
        "ui", help="open a local web page over tuner studies, pipeline runs and model servers"
    )
    parser.add_argument(
        "roots", nargs="*",
        help="folders to search (tuner projects, pipeline roots), study .db files or database URLs "
             "(default: the current folder)",
    )
    parser.add_argument("--port", type=int, default=8080, help="TCP port (default 8080)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--server", action="append", metavar="URL",
                        help="base URL of a running `kerasverse serve` (repeatable)")
    parser.set_defaults(func=_run)
