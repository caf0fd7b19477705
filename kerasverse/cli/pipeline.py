"""`kerasverse pipeline lineage ROOT` and `kerasverse pipeline runs ROOT`: read a pipeline's metadata store."""

from __future__ import annotations

import json
import time


def _lineage(args) -> int:
    from kerasverse.pipeline.lineage import get_lineage

    steps = get_lineage(args.root, artifact_id=args.artifact_id, pipeline_name=args.pipeline_name)
    if args.json:
        print(json.dumps(steps, indent=1, default=str))
        return 0
    for step in steps:
        execution = step["execution"] or {}
        print(f"{step['type']:<18} id={step['id']:<5} by {execution.get('component_id', '?'):<32} {step['uri']}")
        for path in step.get("files", []):
            print(f"{'':<18} source file: {path}")
    return 0


def _runs(args) -> int:
    from kerasverse.pipeline.lineage import resolve_metadata_url
    from kerasverse.pipeline.metadata.store import MetadataStore

    store = MetadataStore(resolve_metadata_url(args.root))
    try:
        print(f"{'id':<6} {'component':<32} {'state':<9} {'started (UTC)':<23} {'seconds':>8}  run id")
        for execution in store.get_executions():
            run_id = execution["properties"].get("run_id", "")
            start, end = execution["create_time_since_epoch"], execution["last_update_time_since_epoch"]
            started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start / 1000)) + f".{start % 1000:03d}" if start else ""
            seconds = f"{(end - start) / 1000:.3f}" if start and end else ""
            print(f"{execution['id']:<6} {execution['component_id']:<32} {execution['state']:<9} {started:<23} "
                  f"{seconds:>8}  {run_id}")
    finally:
        store.dispose()
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("pipeline", help="inspect pipeline runs and lineage")
    commands = parser.add_subparsers(dest="pipeline_command", metavar="COMMAND")
    lineage = commands.add_parser("lineage", help="the upstream lineage of the latest pushed model (or --artifact-id)")
    lineage.add_argument("root", help="a metadata .sqlite file, a folder holding metadata.sqlite, or a database URL")
    lineage.add_argument("--artifact-id", type=int, default=None)
    lineage.add_argument("--pipeline-name", default=None)
    lineage.add_argument("--json", action="store_true", help="print the lineage as JSON")
    lineage.set_defaults(func=_lineage)
    runs = commands.add_parser("runs", help="every execution: state, start time, duration (start to publish) and run id")
    runs.add_argument("root")
    runs.set_defaults(func=_runs)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)
