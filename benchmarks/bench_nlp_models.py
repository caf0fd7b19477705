"""NLP models: GPT-2 124M generation and MiniLM (BERT) forward, kerasverse vs keras-hub.

- GPT-2 124M config, random weights, batch 1, 16-token prompt, 64 new tokens,
  greedy, no stop token: new tokens/s in steady state (median of N calls) and
  the first call's time (compilation included). Both libraries get the same
  weights (copied variable by variable) and must generate the same ids.
- Steady-state calls of kerasverse and keras-hub are timed in turns, so a
  shared machine's load drifts over both alike.
- Quantized GPT-2 (JAX by default, `--quant-backends`): the same 124M model
  in float32 and after `model.quantize(...)` in Keras' modes — "int8" (int8
  weights and dynamic int8 activations), "int8 w-only" (`config=keras.
  quantizers.Int8QuantizationConfig(activation_quantizer=None)`, weights
  only) and "int4" (Keras' default int4: weight-only, 128-row groups) —
  kerasverse and keras-hub side by side (same float weights, quantized by
  each library), all 8 models timed in turns in one process. Reported:
  new tokens/s, first call (compilation included) and the generated ids'
  agreement with the float model (position by position).
- BERT all-MiniLM-L6-v2 shape (6 layers, 384 wide), batch 32, length 128:
  forward latency (compiled `predict_on_batch`), same weights on both sides.

Each backend runs in its own interpreter (a process has one Keras backend);
keras-hub runs beside kerasverse in the JAX and torch workers when it is
installed (`.venv-bench`). Run:
`.venv-bench/bin/python benchmarks/bench_nlp_models.py` (all) or
`--backends jax --repeat 3`.
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

GPT2_CONFIG = dict(vocabulary_size=50257, num_layers=12, num_heads=12, hidden_dim=768, intermediate_dim=3072, max_sequence_length=1024)
MINILM_CONFIG = dict(vocabulary_size=30522, num_layers=6, num_heads=12, hidden_dim=384, intermediate_dim=1536, max_sequence_length=512)
PROMPT_LENGTH, NEW_TOKENS = 16, 64
QUANT_MODES = ("float32", "int8", "int8 w-only", "int4")


def _gpt2_inputs(np):
    rng = np.random.default_rng(0)
    max_length = PROMPT_LENGTH + NEW_TOKENS
    token_ids = np.zeros((1, max_length), "int32")
    token_ids[0, :PROMPT_LENGTH] = rng.integers(1, 50257, PROMPT_LENGTH)
    padding_mask = (np.arange(max_length) < PROMPT_LENGTH)[None].astype("int32")
    return {"token_ids": token_ids, "padding_mask": padding_mask}, max_length


def _copy_weights(source, target):
    """Copies weights by path, else in creation order; False when the shapes do not match."""
    by_path = {weight.path: weight for weight in source.weights}
    if sorted(by_path) == sorted(weight.path for weight in target.weights):
        pairs = [(by_path[weight.path], weight) for weight in target.weights]
    else:  # Names differ: fall back to creation order.
        pairs = list(zip(source.weights, target.weights))
        if len(source.weights) != len(target.weights):
            return False
    if any(tuple(a.shape) != tuple(b.shape) for a, b in pairs):
        return False
    for source_weight, target_weight in pairs:
        target_weight.assign(source_weight.numpy())  # A host copy: no shared device buffers.
    return True


def _first_call(generate):
    start = time.perf_counter()
    output = generate()
    return output, time.perf_counter() - start


def _time_interleaved(functions, repeat, cpu_times=None):
    """Median seconds of each function, timed in turns (a shared, loaded machine drifts).

    With a list `cpu_times`, the median process CPU seconds of each call are
    appended to it (less sensitive to other processes' load than wall time).
    """
    runs = [[] for _ in functions]
    cpu_runs = [[] for _ in functions]
    for _ in range(repeat):
        for fn, times, cpu in zip(functions, runs, cpu_runs):
            start, cpu_start = time.perf_counter(), time.process_time()
            fn()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
    if cpu_times is not None:
        cpu_times.extend(sorted(times)[len(times) // 2] for times in cpu_runs)
    return [sorted(times)[len(times) // 2] for times in runs]


def _quantize(model, mode):
    import keras

    if mode == "int8 w-only":
        model.quantize(config=keras.quantizers.Int8QuantizationConfig(activation_quantizer=None))
    elif mode != "float32":
        model.quantize(mode)


def quant_worker(repeat):
    """GPT-2 124M generate in float32 and Keras' quantized modes, ours and keras-hub, timed in turns."""
    import warnings

    import keras
    import numpy as np

    from kerasverse.nlp.models import GPT2Backbone
    from kerasverse.nlp.models import GPT2CausalLM

    warnings.filterwarnings("ignore")  # "Layer X does not have a `quantize` method" for every norm/dropout.
    try:
        import keras_hub
    except Exception as error:
        keras_hub, peer_error = None, f"{type(error).__name__}: {error}"[:80]
    else:
        peer_error = None
    inputs, max_length = _gpt2_inputs(np)
    result = {"backend": keras.config.backend(), "peer_error": peer_error, "modes": {}}
    keras.utils.set_random_seed(0)
    source = GPT2CausalLM(GPT2Backbone(**GPT2_CONFIG, dropout=0.0))
    functions, names, float_ids = [], [], {}
    for mode in QUANT_MODES:
        entry = result["modes"][mode] = {}
        sides = [("ours", source if mode == "float32" else None)]
        if keras_hub is not None:
            sides.append(("peer", None))
        for side, model in sides:
            if model is None:
                if side == "ours":
                    model = GPT2CausalLM(GPT2Backbone(**GPT2_CONFIG, dropout=0.0))
                else:
                    backbone = keras_hub.models.GPT2Backbone(**GPT2_CONFIG, dropout=0.0)
                    model = keras_hub.models.GPT2CausalLM(backbone=backbone, preprocessor=None)
                    model.compile(sampler="greedy")
                entry[f"{side}_same_weights"] = _copy_weights(source, model)
                _quantize(model, mode)
            generate = lambda model=model: model.generate(inputs, max_length=max_length, stop_token_ids=None)  # noqa: E731
            ids, entry[f"{side}_first_s"] = _first_call(generate)
            ids = np.asarray(ids["token_ids"])[0, PROMPT_LENGTH:]
            float_ids.setdefault(side, ids)
            entry[f"{side}_agreement"] = float(np.mean(ids == float_ids[side]))
            functions.append(generate)
            names.append((mode, side))
    cpu_times = []
    for (mode, side), seconds, cpu in zip(names, _time_interleaved(functions, repeat, cpu_times), cpu_times):
        result["modes"][mode][f"{side}_steady_s"] = seconds
        result["modes"][mode][f"{side}_cpu_s"] = cpu
    result["load"] = os.getloadavg()[0]
    print("RESULT " + json.dumps(result))


def quant_rows(result, backend, harness):
    rows, notes = [], []
    modes = result["modes"]
    for mode, entry in modes.items():
        tokens = lambda seconds: None if seconds is None else NEW_TOKENS / seconds  # noqa: E731
        rows.append(harness.comparison_row(f"GPT-2 124M {mode}, {backend}, new tokens/s", tokens(entry["ours_steady_s"]), tokens(entry.get("peer_steady_s")), unit="tok/s", higher_is_better=True))
        rows.append(harness.comparison_row(f"GPT-2 124M {mode}, {backend}, CPU ms/token", entry["ours_cpu_s"] * 1000 / NEW_TOKENS, entry.get("peer_cpu_s", float("nan")) * 1000 / NEW_TOKENS if "peer_cpu_s" in entry else None, unit="ms"))
        rows.append(harness.comparison_row(f"GPT-2 124M {mode}, {backend}, first call", entry["ours_first_s"], entry.get("peer_first_s")))
    base = modes["float32"]["ours_steady_s"]
    base_cpu = modes["float32"]["ours_cpu_s"]
    notes.append(f"{backend}: 1-min load average after the quantized timings: {result['load']:.1f}")
    notes.append(
        f"{backend}: kerasverse CPU time per token vs its float32: "
        + ", ".join(f"{mode} {base_cpu / entry['ours_cpu_s']:.2f}x" for mode, entry in modes.items() if mode != "float32")
    )
    notes.append(
        f"{backend}: kerasverse tok/s vs its float32: "
        + ", ".join(f"{mode} {base / entry['ours_steady_s']:.2f}x" for mode, entry in modes.items() if mode != "float32")
        + "; keras-hub vs its float32: "
        + ", ".join(
            f"{mode} {modes['float32']['peer_steady_s'] / entry['peer_steady_s']:.2f}x"
            for mode, entry in modes.items() if mode != "float32" and "peer_steady_s" in entry
        )
    )
    notes.append(
        f"{backend}: generated ids equal to the float model's (64 greedy tokens, random weights): "
        + ", ".join(f"{mode} ours {entry['ours_agreement']:.2f} / keras-hub {entry.get('peer_agreement', float('nan')):.2f}" for mode, entry in modes.items() if mode != "float32")
        + (f"; keras-hub unavailable ({result['peer_error']})" if result["peer_error"] else "")
    )
    return rows, notes


def worker(repeat):
    import keras
    import numpy as np

    from kerasverse.nlp.models import BertBackbone
    from kerasverse.nlp.models import GPT2Backbone
    from kerasverse.nlp.models import GPT2CausalLM

    try:
        import keras_hub
    except Exception as error:  # Not installed, or broken on this backend.
        keras_hub, peer_error = None, f"{type(error).__name__}: {error}"[:80]
    else:
        peer_error = None
    result = {"backend": keras.config.backend(), "peer_error": peer_error}
    inputs, max_length = _gpt2_inputs(np)

    # ---- GPT-2 generate.
    keras.utils.set_random_seed(0)
    ours = GPT2CausalLM(GPT2Backbone(**GPT2_CONFIG, dropout=0.0))
    ours_generate = lambda: ours.generate(inputs, max_length=max_length, stop_token_ids=None)  # noqa: E731
    ours_ids, ours_first = _first_call(ours_generate)
    compilations_after_first = ours.num_generate_compilations
    functions = [ours_generate]
    result["gpt2"] = {"ours_first_s": ours_first}
    if keras_hub is not None:
        peer = keras_hub.models.GPT2CausalLM(backbone=keras_hub.models.GPT2Backbone(**GPT2_CONFIG, dropout=0.0), preprocessor=None)
        peer.compile(sampler="greedy")
        same_weights = _copy_weights(ours, peer)
        peer_generate = lambda: peer.generate(inputs, max_length=max_length, stop_token_ids=None)  # noqa: E731
        peer_ids, peer_first = _first_call(peer_generate)
        agree = bool(same_weights and np.array_equal(np.asarray(peer_ids["token_ids"]), ours_ids["token_ids"]))
        result["gpt2"].update({"peer_first_s": peer_first, "same_weights": same_weights, "same_ids": agree})
        functions.append(peer_generate)
    steady = _time_interleaved(functions, repeat)
    result["gpt2"]["ours_steady_s"] = steady[0]
    if keras_hub is not None:
        result["gpt2"]["peer_steady_s"] = steady[1]
    result["gpt2"]["ours_recompilations"] = ours.num_generate_compilations - compilations_after_first
    result["gpt2"]["ours_compilations"] = ours.num_generate_compilations


    # ---- MiniLM forward.
    rng = np.random.default_rng(0)
    batch = {
        "token_ids": rng.integers(1, 30522, (32, 128)).astype("int32"),
        "segment_ids": np.zeros((32, 128), "int32"),
        "padding_mask": np.ones((32, 128), "int32"),
    }
    bert = BertBackbone(**MINILM_CONFIG, dropout=0.0)
    bert.compile(jit_compile=keras.config.backend() == "jax")
    ours_out = bert.predict_on_batch(batch)["sequence_output"]  # Warm-up (compilation).
    functions = [lambda: bert.predict_on_batch(batch)]
    result["bert"] = {}
    if keras_hub is not None:
        peer_bert = keras_hub.models.BertBackbone(**MINILM_CONFIG, dropout=0.0)
        peer_bert.compile(jit_compile=keras.config.backend() == "jax")
        same_weights = _copy_weights(bert, peer_bert)
        peer_out = peer_bert.predict_on_batch(batch)["sequence_output"]
        diff = float(np.abs(np.asarray(peer_out) - np.asarray(ours_out)).max()) if same_weights else None
        result["bert"]["max_abs_diff"] = diff
        functions.append(lambda: peer_bert.predict_on_batch(batch))
    times = _time_interleaved(functions, repeat)
    result["bert"]["ours_s"] = times[0]
    if keras_hub is not None:
        result["bert"]["peer_s"] = times[1]
    print("RESULT " + json.dumps(result))


def main(argv=None):
    from benchmarks import harness

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="jax,torch")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quant-backends", default="jax", help="backends of the quantized GPT-2 section ('' skips it)")
    parser.add_argument("--quant-only", action="store_true", help="run only the quantized GPT-2 section")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quant-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.repeat)
        return None
    if args.quant_worker:
        quant_worker(args.repeat)
        return None
    rows = []
    notes = []
    for backend in [] if args.quant_only else args.backends.split(","):
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        process = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--worker", "--repeat", str(args.repeat)],
            capture_output=True, text=True, env=env,
        )
        lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
        if process.returncode != 0 or not lines:
            notes.append(f"{backend}: worker failed: {process.stderr.strip().splitlines()[-1:]}")
            continue
        result = json.loads(lines[-1][len("RESULT "):])
        gpt2, bert = result["gpt2"], result["bert"]
        tokens = lambda seconds: None if seconds is None else NEW_TOKENS / seconds  # noqa: E731
        rows.append(harness.comparison_row(f"GPT-2 124M generate, {backend}, new tokens/s", tokens(gpt2["ours_steady_s"]), tokens(gpt2.get("peer_steady_s")), unit="tok/s", higher_is_better=True))
        rows.append(harness.comparison_row(f"GPT-2 124M generate, {backend}, first call", gpt2["ours_first_s"], gpt2.get("peer_first_s")))
        rows.append(harness.comparison_row(f"MiniLM forward b32 x 128, {backend}", bert["ours_s"], bert.get("peer_s")))
        notes.append(
            f"{backend}: kerasverse generate compilations after {args.repeat + 1} calls = {gpt2['ours_compilations']}"
            f" (recompilations after the first call: {gpt2['ours_recompilations']})"
            f"; same weights/ids as keras-hub: {gpt2.get('same_weights')}/{gpt2.get('same_ids')}"
            f"; MiniLM max |diff| vs keras-hub: {bert.get('max_abs_diff')}"
            + (f"; keras-hub unavailable ({result['peer_error']})" if result["peer_error"] else "")
        )
    for backend in [b for b in args.quant_backends.split(",") if b]:
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        process = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--quant-worker", "--repeat", str(args.repeat)],
            capture_output=True, text=True, env=env,
        )
        lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
        if process.returncode != 0 or not lines:
            notes.append(f"{backend} quantized: worker failed: {process.stderr.strip().splitlines()[-3:]}")
            continue
        more_rows, more_notes = quant_rows(json.loads(lines[-1][len("RESULT "):]), backend, harness)
        rows += more_rows
        notes += more_notes
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"NLP models, {os.cpu_count()} CPU cores (1-min load average {load:.1f} at the end), batch 1, prompt "
        f"{PROMPT_LENGTH} + {NEW_TOKENS} new tokens, greedy; median of {args.repeat}, ours and keras-hub timed "
        "in turns (ratio > 1: kerasverse better)"
    )
    print(harness.format_table(rows, ["case", "kerasverse", "peer", "ratio"]))
    for note in notes:
        print("- " + note)
    return rows


if __name__ == "__main__":
    main()
