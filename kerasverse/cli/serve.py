"""`kerasverse serve`: TF Serving's model server (same flags, URLs and JSON) for Keras 3 models."""

import os
import sys


def _read_token(path):
    with open(path, encoding="utf-8") as file:
        token = file.read().strip()
    if not token:
        raise ValueError(f"--auth_token_file {path!r} is empty. Write a long random token into it.")
    return token


def _serve(args):
    from kerasverse.serving import BatchingParameters
    from kerasverse.serving import LoadOptions
    from kerasverse.serving import ModelConfig
    from kerasverse.serving import ModelServer
    from kerasverse.serving import load_batching_parameters
    from kerasverse.serving import load_model_config

    if args.model_config_file:
        if args.model_base_path:
            print("Pass either --model_config_file or --model_base_path, not both.", file=sys.stderr)
            return 2
        models = load_model_config(args.model_config_file)
    elif args.model_base_path:
        models = [ModelConfig(args.model_name, os.path.abspath(args.model_base_path))]
    else:
        print("Pass --model_base_path=DIR (with --model_name) or --model_config_file=FILE.", file=sys.stderr)
        return 2
    batching = None
    if args.enable_batching:
        batching = load_batching_parameters(args.batching_parameters_file) if args.batching_parameters_file else BatchingParameters()
    options = LoadOptions(unsafe_deserialization=args.unsafe_deserialization, runtime=args.runtime)
    token = _read_token(args.auth_token_file) if args.auth_token_file else None
    if args.ray:
        if args.port:
            print("--port (gRPC) is not served with --ray: Ray Serve replicas speak REST and KServe v2.", file=sys.stderr)
        from kerasverse.serving.ray_serve import serve_with_ray

        return serve_with_ray(models, host=args.host, port=args.rest_api_port, batching_parameters=batching,
                              load_options=options, auth_token=token, num_replicas=args.ray_num_replicas)
    server = ModelServer(
        models,
        host=args.host,
        rest_api_port=args.rest_api_port,
        batching_parameters=batching,
        file_system_poll_wait_seconds=args.file_system_poll_wait_seconds,
        load_options=options,
        auth_token=token,
        max_request_bytes=args.max_request_bytes,
        rest_api_num_threads=args.rest_api_num_threads,
        grpc_port=args.port or None,
        grpc_max_threads=args.grpc_max_threads,
    )
    grpc = f" and gRPC on {args.host}:{args.port}" if args.port else ""
    print(f"kerasverse serve: {', '.join(m.name for m in models)} on {server.url}{grpc}", file=sys.stderr)
    server.serve_forever()
    return 0


def _flag_bool(text):
    if isinstance(text, bool):
        return text
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise ValueError(f"Expected true or false. Received: {text!r}")


def register(subparsers):
    parser = subparsers.add_parser(
        "serve",
        help="serve models over TF Serving's REST and gRPC APIs and KServe v2",
        description="Serve Keras 3 models (.keras, .kvz, .onnx, .tflite, pipeline models) with TF Serving's flags and REST API.",
    )
    parser.add_argument("--model_name", default="default", help="the model's name in URLs (default: 'default')")
    parser.add_argument("--model_base_path", help="the folder holding numeric version folders")
    parser.add_argument("--model_config_file", help="TF Serving's model_config_list text format, or YAML/JSON")
    parser.add_argument("--rest_api_port", type=int, default=8501, help="HTTP port (0: a free one)")
    parser.add_argument("--port", type=int, default=0,
                        help="TF Serving's gRPC API (PredictionService, ModelService) on this port (default 0: no gRPC)")
    parser.add_argument("--grpc_max_threads", type=int, default=16, help="threads handling gRPC calls (with --port)")
    parser.add_argument("--host", default="127.0.0.1", help="the address to bind (default 127.0.0.1; 0.0.0.0 exposes it)")
    parser.add_argument("--file_system_poll_wait_seconds", type=float, default=1.0, help="seconds between polls; 0: once")
    parser.add_argument("--enable_batching", type=_flag_bool, nargs="?", const=True, default=False, help="merge concurrent requests")
    parser.add_argument("--batching_parameters_file", help="BatchingParameters text format (max_batch_size { value: 32 } ...)")
    parser.add_argument("--rest_api_num_threads", type=int, default=64, help="worker threads for request work")
    parser.add_argument("--auth_token_file", help="a file holding a bearer token every request must send")
    parser.add_argument("--max_request_bytes", type=int, default=32 * 1024 * 1024, help="request body limit (413 above)")
    parser.add_argument("--unsafe_deserialization", type=_flag_bool, nargs="?", const=True, default=False,
                        help="load .keras files with safe_mode=False (Lambda layers: trusted files only)")
    parser.add_argument("--runtime", choices=("keras", "onnx", "auto"), default="keras",
                        help="for .keras files: Keras on the current backend, ONNX Runtime, or the faster verified one")
    parser.add_argument("--ray", type=_flag_bool, nargs="?", const=True, default=False, help="serve as Ray Serve replicas")
    parser.add_argument("--ray_num_replicas", type=int, default=1, help="Ray Serve replicas per model (with --ray)")
    parser.set_defaults(func=_serve)
