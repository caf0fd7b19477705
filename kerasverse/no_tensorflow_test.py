"""Importing every kerasverse subpackage never imports TensorFlow.

Only `kerasverse.export.litert` may import it, and only inside the functions
that convert (in a child process); importing the module itself must stay
TensorFlow-free too.

Note: Keras itself (3.15, `keras.saving.serialize_keras_object`,
`keras.utils.set_random_seed`) imports TensorFlow whenever it is installed;
`kerasverse/_tensorflow_guard.py` stops that once kerasverse is imported
(tested in `_tensorflow_guard_test.py`). The test venv has the `[litert]`
extra, so this check runs in a fresh interpreter that only imports our modules.
"""

import pkgutil
import subprocess
import sys

import kerasverse


def _all_modules():
    names = []
    for module in pkgutil.walk_packages(kerasverse.__path__, prefix="kerasverse."):
        if module.name.endswith("_test") or ".cli.main" == module.name[-9:]:
            continue
        names.append(module.name)
    return names


def test_modules_are_discovered():
    names = _all_modules()
    assert "kerasverse.testing.test_case" in names
    assert "kerasverse.cli.info" in names


def test_no_module_imports_tensorflow():
    modules = _all_modules()
    code = "\n".join(
        [
            "import importlib, sys",
            f"for name in {modules!r}:",
            "    importlib.import_module(name)",
            "    if 'tensorflow' in sys.modules:",
            "        raise SystemExit('importing ' + name + ' imported tensorflow')",
            "print('imported', len(sys.modules))",
        ]
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "imported" in result.stdout


def test_importing_kerasverse_is_cheap():
    code = "import sys, kerasverse; print('keras' in sys.modules, 'jax' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
