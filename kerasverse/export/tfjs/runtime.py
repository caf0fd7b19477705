"""Running TF.js in Node: finds `node` and `@tensorflow/tfjs`, runs `runner.js`.

One Node process runs a whole batch of tasks (load, predict, inspect,
fine-tune), so verifying many models costs one start-up.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

RUNNER = Path(__file__).resolve().parent / "runner.js"
# The repository's js/ folder (npm install --prefix js puts tfjs there).
DEFAULT_NODE_MODULES = Path(__file__).resolve().parents[3] / "js" / "node_modules"


class NodeRuntime:
    """The TF.js runtime in Node.js.

    Args:
        node: the `node` executable (found on PATH when None).
        node_modules: a `node_modules` folder holding `@tensorflow/tfjs`
            (the repository's `js/node_modules` when None).

    Example:

    ```python
    runtime = NodeRuntime()
    outputs = runtime.predict("web_model", [x])[0]
    ```
    """

    def __init__(self, node=None, node_modules=None):
        self.node = node or shutil.which("node")
        self.node_modules = Path(node_modules) if node_modules else DEFAULT_NODE_MODULES

    def missing(self):
        """Why TF.js cannot run here (a sentence), or None when it can."""
        if not self.node:
            return "Node.js is not installed (`apt-get install nodejs npm`)."
        if not (self.node_modules / "@tensorflow" / "tfjs" / "package.json").exists():
            return f"@tensorflow/tfjs is not installed in {self.node_modules} (`npm ci --prefix js`)."
        return None

    def run(self, tasks, timeout=600):
        """Runs raw runner tasks in one Node process; returns their results."""
        problem = self.missing()
        if problem:
            raise RuntimeError(f"Cannot run TF.js: {problem}")
        with tempfile.TemporaryDirectory(prefix="kerasverse-tfjs-") as workdir:
            job = os.path.join(workdir, "job.json")
            with open(job, "w") as file:
                json.dump({"node_modules": str(self.node_modules), "tasks": tasks}, file)
            process = subprocess.run([self.node, str(RUNNER), job], capture_output=True, text=True, timeout=timeout)
            lines = process.stdout.strip().splitlines()
            if process.returncode != 0 or not lines:
                raise RuntimeError(f"The TF.js runner failed (exit {process.returncode}):\n{process.stderr[-3000:]}")
            return json.loads(lines[-1])["results"]

    def run_batch(self, requests, timeout=600):
        """Runs several model tasks in one Node process.

        Args:
            requests: a list of dicts `{"op": "predict" | "inspect" | "fit",
                "model_dir": ..., "inputs": [arrays], ...}`; `fit` also takes
                `targets`, `save_dir`, `epochs`, `batch_size`,
                `learning_rate` and `loss`; `predict` takes `repeat` to time.

        Returns:
            One result dict per request: `outputs` as numpy arrays, plus
            `loss` (fit), `median_s` (predict with repeat), the model's
            `weights` names and shapes (inspect), or `error`.
        """
        with tempfile.TemporaryDirectory(prefix="kerasverse-tfjs-data-") as workdir:
            tasks = []
            for index, request in enumerate(requests):
                task = dict(request)
                task["model_dir"] = os.path.abspath(request["model_dir"])
                for key in ("inputs", "targets"):
                    if key in request:
                        task[key] = [_write(a, os.path.join(workdir, f"{index}_{key}_{i}.bin")) for i, a in enumerate(request[key])]
                if "save_dir" in request:
                    task["save_dir"] = os.path.abspath(request["save_dir"])
                task["output_prefix"] = os.path.join(workdir, f"{index}_output")
                tasks.append(task)
            results = self.run(tasks, timeout=timeout)
            for result in results:
                if "outputs" in result:
                    result["outputs"] = [_read(spec) for spec in result["outputs"]]
            return results

    def predict(self, model_dir, inputs):
        """Loads `model_dir` with `tf.loadLayersModel` and predicts `inputs`.

        Returns:
            The list of outputs (numpy arrays).
        """
        result = self.run_batch([{"op": "predict", "model_dir": model_dir, "inputs": list(inputs)}])[0]
        if "error" in result:
            raise RuntimeError(f"TF.js failed on {model_dir}: {result['error']}")
        return result["outputs"]


def _write(array, path):
    array = np.asarray(array)
    dtype = "int32" if array.dtype.kind in "iub" else "float32"
    np.ascontiguousarray(array, dtype=dtype).tofile(path)
    return {"file": path, "shape": [int(d) for d in array.shape], "dtype": dtype}


def _read(spec):
    return np.fromfile(spec["file"], dtype="<f4").reshape(spec["shape"])
