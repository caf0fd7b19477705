"""The first run without KERAS_BACKEND chooses a backend that works."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

import kerasverse
from kerasverse import _backend

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(kerasverse.__file__)))

# Put first on PYTHONPATH: makes `import tensorflow` fail, as on an install
# without TensorFlow (the test venv has it, for the LiteRT exporter).
BLOCK_TENSORFLOW = textwrap.dedent(
    """
    import importlib.machinery
    import sys

    class _BrokenTensorFlow:
        def find_spec(self, name, path=None, target=None):
            if name == "tensorflow" or name.startswith("tensorflow."):
                return importlib.machinery.ModuleSpec(name, self, origin="blocked")
            return None

        def create_module(self, spec):
            return None

        def exec_module(self, module):
            raise ImportError(f"No module named {module.__name__!r} (blocked by the test)")

    sys.meta_path.insert(0, _BrokenTensorFlow())
    """
)


def _run_without_backend(tmp_path, code, keras_json=None):
    home = tmp_path / "home"
    (home / ".keras").mkdir(parents=True)
    if keras_json is not None:
        (home / ".keras" / "keras.json").write_text(json.dumps(keras_json))
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCK_TENSORFLOW)
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "KERAS_HOME")}
    env.update(HOME=str(home), PYTHONPATH=os.pathsep.join([str(blocker), REPO_ROOT]))
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result, home / ".keras" / "keras.json"


@pytest.mark.host
def test_first_run_without_backend_or_tensorflow_tunes_on_jax(tmp_path):
    result, config_path = _run_without_backend(
        tmp_path,
        """
        import sys
        import numpy as np
        import kerasverse.tuner as kt
        import keras

        try:
            import tensorflow
        except ImportError:
            pass
        else:
            raise SystemExit("tensorflow is importable: the blocker did not work")

        def build(hp):
            model = keras.Sequential([keras.layers.Dense(hp.Int("units", 2, 4), activation="relu"),
                                      keras.layers.Dense(1)])
            model.compile("adam", "mse")
            return model

        x = np.random.rand(16, 3).astype("float32")
        y = x.sum(axis=1, keepdims=True)
        tuner = kt.RandomSearch(build, objective="val_loss", max_trials=2, directory="t",
                                storage=":memory:", verbose=0)
        tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
        print("backend", keras.config.backend())
        print("trials", len(tuner.oracle.trials))
        print("tensorflow imported", "tensorflow" in sys.modules)
        from kerasverse.cli.main import main
        main(["info"])
        """,
    )
    assert "backend jax" in result.stdout
    assert "trials 2" in result.stdout
    assert "tensorflow imported False" in result.stdout
    # `kerasverse info` says which backend and where the choice came from.
    assert f"backend    jax (from kerasverse default (no keras.json): {config_path})" in result.stdout
    log = [line for line in result.stderr.splitlines() if line.startswith("kerasverse:")]
    assert len(log) == 1, result.stderr
    assert "KERAS_BACKEND is not set" in log[0]
    assert "using the 'jax' Keras backend" in log[0]
    assert "To choose another, set KERAS_BACKEND=torch" in log[0]
    # The keras.json left behind works for the next run (Keras would write "tensorflow").
    assert json.loads(config_path.read_text())["backend"] == "jax"


@pytest.mark.host
def test_broken_keras_json_falls_back_for_this_run_and_is_kept(tmp_path):
    written = {"backend": "tensorflow", "floatx": "float32"}
    result, config_path = _run_without_backend(
        tmp_path,
        """
        import kerasverse.cv
        import keras
        from kerasverse._backend import ensure_backend
        print("backend", keras.config.backend())
        print("source", ensure_backend().source)
        from kerasverse.cli.main import main
        main(["info"])
        """,
        keras_json=written,
    )
    assert "backend jax" in result.stdout
    assert "source kerasverse fallback" in result.stdout
    assert "asks for the 'tensorflow' Keras backend, which cannot be imported" in result.stderr
    assert json.loads(config_path.read_text()) == written
    assert "backend    jax (from kerasverse fallback" in result.stdout


def _decide(tmp_path, environ, keras_json=None, keras_backend=None):
    path = tmp_path / "keras.json"
    if keras_json is not None:
        path.write_text(json.dumps(keras_json))
    return _backend._decide(environ, str(path), keras_backend), path


@pytest.mark.host
def test_explicit_keras_backend_is_never_overridden(tmp_path):
    environ = {"KERAS_BACKEND": "torch"}
    choice, _ = _decide(tmp_path, environ, keras_json={"backend": "jax"})
    assert (choice.backend, choice.source) == ("torch", "KERAS_BACKEND")
    assert environ == {"KERAS_BACKEND": "torch"}


@pytest.mark.host
def test_explicit_keras_backend_without_keras_json_writes_a_working_one(tmp_path):
    choice, path = _decide(tmp_path, {"KERAS_BACKEND": "torch"})
    assert choice.backend == "torch"
    assert json.loads(path.read_text())["backend"] == _backend.default_backend()


@pytest.mark.host
def test_working_keras_json_is_used_silently(tmp_path, caplog):
    environ = {}
    choice, path = _decide(tmp_path, environ, keras_json={"backend": "torch"})
    assert (choice.backend, choice.source) == ("torch", "keras.json")
    assert environ == {}
    assert not caplog.records
    assert choice.describe() == f"keras.json: {path}"


@pytest.mark.host
def test_no_keras_json_chooses_jax_and_logs_once(tmp_path, caplog):
    environ = {}
    choice, path = _decide(tmp_path, environ)
    assert (choice.backend, choice.source) == ("jax", _backend.SOURCE_DEFAULT)
    assert environ == {"KERAS_BACKEND": "jax"}
    assert json.loads(path.read_text())["backend"] == "jax"
    assert len(caplog.records) == 1


def test_imported_keras_is_kept(tmp_path):
    import keras

    choice, _ = _decide(tmp_path, {}, keras_backend=keras.config.backend())
    assert (choice.backend, choice.source) == (keras.config.backend(), "Keras already imported")


@pytest.mark.host
def test_imported_keras_with_a_backend_that_cannot_train_is_a_clear_error(tmp_path):
    with pytest.raises(RuntimeError, match="imported before kerasverse with the 'numpy' backend.*KERAS_BACKEND=jax"):
        _decide(tmp_path, {}, keras_backend="numpy")


@pytest.mark.host
def test_namespace_folder_is_not_an_install(tmp_path, monkeypatch):
    (tmp_path / "fakebackend").mkdir()  # No __init__.py: a namespace package.
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not _backend.backend_is_importable("fakebackend")
    assert _backend.backend_is_importable("torch") == (
        __import__("importlib").util.find_spec("torch") is not None
    )


@pytest.mark.host
def test_keras_config_path_follows_keras_home(tmp_path):
    assert _backend.keras_config_path({"KERAS_HOME": str(tmp_path)}) == str(tmp_path / "keras.json")
