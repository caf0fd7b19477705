import importlib.util
import subprocess
import sys

import pytest

from kerasverse.cli import info
from kerasverse.cli import main


def test_help_lists_info(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main.main(["--help"])
    assert exit_info.value.code == 0
    assert "info" in capsys.readouterr().out


def test_no_verb_prints_help(capsys):
    assert main.main([]) == 0
    assert "usage: kerasverse" in capsys.readouterr().out


def test_unknown_verb_is_an_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main.main(["no-such-verb"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_info_tells_the_truth_about_installed_packages():
    facts = info.collect()
    import keras

    assert facts["keras"] == keras.__version__
    assert facts["backend"] == keras.config.backend()
    # The test run sets KERAS_BACKEND (kerasverse/_backend_test.py covers the rest).
    assert facts["backend_source"] == "KERAS_BACKEND"
    for row in facts["capabilities"]:
        for module in row["missing"]:
            assert importlib.util.find_spec(module) is None
        if row["installed"]:
            assert row["missing"] == []
    by_name = {row["name"]: row for row in facts["capabilities"]}
    assert by_name["jax"]["installed"] == (importlib.util.find_spec("jax") is not None)
    assert by_name["torch"]["installed"] == (importlib.util.find_spec("torch") is not None)


def test_info_console_script_runs_and_does_not_import_tensorflow():
    code = (
        "import sys; from kerasverse.cli.main import main; main(['info']);"
        "assert 'tensorflow' not in sys.modules, 'info imported tensorflow'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "kerasverse" in result.stdout
    assert "backend" in result.stdout
    assert "litert" in result.stdout
