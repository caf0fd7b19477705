"""`kerasverse cloud run|status|logs`: TensorFlow Cloud's `run` from the shell.

    kerasverse cloud run train.py --workers 2 [--address ray://host:10001] [-- ARGS]
    kerasverse cloud run train.py --no-wait      # prints the job id
    kerasverse cloud status JOB_ID
    kerasverse cloud logs JOB_ID [--rank 1]
"""

import os
import subprocess
import sys

_RUN_PARSER = []


def _labels(values):
    labels = {}
    for value in values or []:
        key, sep, label = value.partition("=")
        if not sep:
            raise SystemExit(f"--label takes KEY=VALUE. Received: {value!r}.")
        labels[key] = label
    return labels


def _run(args):
    from kerasverse import cloud
    from kerasverse.cloud.run import DEFAULT_DIRECTORY
    from kerasverse.cloud.run import _new_job_id
    from kerasverse.cloud.run import write_job_record

    script_args = list(args.script_args or [])
    if "--" in script_args:
        # Options may also follow the script: `run train.py --workers 2 -- --epochs 3`.
        split = script_args.index("--")
        if split:
            options = _RUN_PARSER[0].parse_args([*script_args[:split], args.entry_point])
            for key, value in vars(options).items():
                if key != "script_args" and value != _RUN_PARSER[0].get_default(key):
                    setattr(args, key, value)
        script_args = script_args[split + 1 :]
    if args.no_wait:
        # The job's driver runs on in a detached process that records its state
        # in the job directory, where `status` and `logs` read it.
        if not os.path.isfile(args.entry_point):
            raise SystemExit(f"entry point not found: {args.entry_point!r}")
        job_id = _new_job_id()
        root = os.path.abspath(os.path.expanduser(args.checkpoint_dir or DEFAULT_DIRECTORY))
        job_dir = os.path.join(root, job_id)
        os.makedirs(os.path.join(job_dir, "logs"), exist_ok=True)
        command = [sys.executable, "-m", "kerasverse.cli.main", "cloud", "run", args.entry_point,
                   "--workers", str(args.workers), "--job-id", job_id, "--quiet",
                   "--max-failures", str(args.max_failures)]
        for flag, value in (("--address", args.address), ("--requirements", args.requirements),
                            ("--chief-config", args.chief_config), ("--worker-config", args.worker_config),
                            ("--checkpoint-dir", args.checkpoint_dir)):
            if value:
                command += [flag, value]
        for label in args.label or []:
            command += ["--label", label]
        if script_args:
            command += ["--", *script_args]
        with open(os.path.join(job_dir, "driver.log"), "w") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, env=os.environ.copy(),
            )
        write_job_record(job_dir, job_id=job_id, status="RUNNING", pid=process.pid,
                         labels=_labels(args.label))
        print(job_id)
        print(f"Follow it with `kerasverse cloud status {job_id}` and `kerasverse cloud logs {job_id}`.")
        return 0
    try:
        result = cloud.run(
            entry_point=args.entry_point,
            requirements_txt=args.requirements,
            chief_config=args.chief_config or "auto",
            worker_config=args.worker_config or "auto",
            worker_count=args.workers,
            entry_point_args=script_args,
            stream_logs=not args.quiet,
            job_labels=_labels(args.label),
            cluster=args.address,
            checkpoint_dir=args.checkpoint_dir,
            max_failures=args.max_failures,
            job_id=args.job_id,
        )
    except cloud.JobFailedError as error:
        print(str(error), file=sys.stderr)
        return 1
    print(f"Job {result.job_id} {result.status.lower()} on {result.num_processes} process(es); "
          f"logs and checkpoints in {result.job_dir}.")
    return 0


def _status(args):
    from kerasverse.cloud import Job

    job = Job.load(args.job_id, args.checkpoint_dir)
    record = job._read_record(job.job_dir)
    print(f"{job.job_id}: {job.status()}")
    for key in ("num_processes", "labels", "entry_point", "started", "checkpoint"):
        if record.get(key):
            print(f"  {key}: {record[key]}")
    if record.get("error"):
        print(record["error"])
    return 0 if job.status() in ("RUNNING", "SUCCEEDED") else 1


def _logs(args):
    from kerasverse.cloud import Job

    job = Job.load(args.job_id, args.checkpoint_dir)
    sys.stdout.write(job.logs(args.rank))
    return 0


def register(subparsers):
    parser = subparsers.add_parser("cloud", help="run a Keras script data-parallel on Ray (TF Cloud's run)")
    commands = parser.add_subparsers(dest="cloud_command", metavar="COMMAND")
    run = commands.add_parser("run", help="run a training script on 1 + WORKERS processes")
    run.add_argument("entry_point", help="the .py script")
    run.add_argument("--workers", type=int, default=0, help="processes besides the chief (worker_count)")
    run.add_argument("--address", help="Ray cluster: 'auto', 'host:6379' or 'ray://host:10001' (default: a local Ray)")
    run.add_argument("--requirements", help="a requirements.txt installed on the workers")
    run.add_argument("--chief-config", help="'auto', or a machine config such as CPU_4 or T4_1X")
    run.add_argument("--worker-config", help="the same for the workers")
    run.add_argument("--checkpoint-dir", help="where jobs keep logs and checkpoints (default ~/.kerasverse/cloud)")
    run.add_argument("--max-failures", type=int, default=0, help="restarts allowed after a worker failure")
    run.add_argument("--label", action="append", help="KEY=VALUE job label (repeatable)")
    run.add_argument("--no-wait", action="store_true", help="start the job and print its id")
    run.add_argument("--quiet", action="store_true", help="do not stream the chief's output")
    run.add_argument("--job-id", help=argparse_suppress())
    run.add_argument("script_args", nargs="...", help="arguments of the script (after --)")
    run.set_defaults(func=_run)
    _RUN_PARSER[:] = [run]
    for name, func, text in (("status", _status, "a job's status"), ("logs", _logs, "a job's logs")):
        command = commands.add_parser(name, help=text)
        command.add_argument("job_id")
        command.add_argument("--checkpoint-dir", help="the directory the job ran with")
        if name == "logs":
            command.add_argument("--rank", type=int, default=0, help="the process (0: the chief)")
        command.set_defaults(func=func)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS
