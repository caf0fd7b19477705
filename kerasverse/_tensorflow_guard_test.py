"""Keras' TensorFlow checks on save and seeding import nothing once kerasverse
is imported; behaviour is plain Keras' once TensorFlow is imported.

Each case runs in a fresh interpreter (what is imported is the point). The
oracle for "the guard matters" is plain Keras in the same venv: with
TensorFlow installed, `model.save` imports it.
"""

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.host

HAS_TENSORFLOW = importlib.util.find_spec("tensorflow") is not None

SAVE_AND_SEED = """
    import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.save({path!r})
    keras.saving.load_model({path!r})
    print("tensorflow imported:", "tensorflow" in sys.modules)
"""


def _run(code, tmp_path):
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_save_and_seed_import_no_tensorflow(tmp_path):
    # kerasverse first: the import hook guards Keras' modules as Keras loads them.
    path = str(tmp_path / "m.keras")
    out = _run("import sys\nimport kerasverse\n" + textwrap.dedent(SAVE_AND_SEED.format(path=path)), tmp_path)
    assert "tensorflow imported: False" in out


@pytest.mark.skipif(not HAS_TENSORFLOW, reason="TensorFlow not installed: plain Keras imports nothing either")
def test_plain_keras_imports_tensorflow_on_save(tmp_path):
    # The oracle: without kerasverse, the same lines import TensorFlow.
    out = _run("import sys\n" + textwrap.dedent(SAVE_AND_SEED.format(path=str(tmp_path / "m.keras"))), tmp_path)
    assert "tensorflow imported: True" in out


@pytest.mark.skipif(not HAS_TENSORFLOW, reason="needs TensorFlow")
def test_once_tensorflow_is_imported_keras_behaves_as_without_the_guard(tmp_path):
    out = _run("""
        import sys
        import keras  # Keras first: `import kerasverse` guards the loaded modules.
        import kerasverse
        from keras.src.saving import serialization_lib
        assert not serialization_lib.tf.available
        import tensorflow as tf
        assert serialization_lib.tf.available
        print("shape:", serialization_lib.serialize_keras_object(tf.TensorShape([1, 2])))
        # Keras' TensorFlow-only preprocessing layers still find TensorFlow.
        lookup = keras.layers.StringLookup(vocabulary=["a", "b"])
        print("lookup:", lookup.vocabulary_size())
    """, tmp_path)
    assert "shape: [1, 2]" in out  # Plain Keras' serialisation of a TensorShape.
    assert "lookup: 3" in out
