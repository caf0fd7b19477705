import json
import os

import pytest

from kerasverse.serving.config import ModelConfig
from kerasverse.serving.config import load_batching_parameters
from kerasverse.serving.config import load_model_config
from kerasverse.serving.config import parse_text_format

pytestmark = pytest.mark.host

TEXT = """
# two models
model_config_list {
  config {
    name: 'digits'
    base_path: '/models/digits'
    model_platform: "tensorflow"
    model_version_policy { specific { versions: 1 versions: 2 } }
    version_labels { key: 'stable' value: 1 }
    version_labels { key: 'canary' value: 2 }
  }
  config: {
    name: "embedder"
    base_path: "embedder"
    model_version_policy: { latest: { num_versions: 2 } }
  }
  config { name: "all" base_path: "/m" model_version_policy { all {} } }
}
"""


def test_model_config_list_text_format(tmp_path):
    path = tmp_path / "models.config"
    path.write_text(TEXT)
    digits, embedder, every = load_model_config(str(path))
    assert digits == ModelConfig("digits", "/models/digits", "specific", 1, (1, 2), {"stable": 1, "canary": 2})
    assert embedder.base_path == os.path.join(str(tmp_path), "embedder")
    assert (embedder.version_policy, embedder.num_versions) == ("latest", 2)
    assert every.version_policy == "all"


def test_model_config_yaml_and_json_say_the_same(tmp_path):
    document = {"model_config_list": {"config": [
        {"name": "digits", "base_path": "/models/digits",
         "model_version_policy": {"specific": {"versions": [1, 2]}}, "version_labels": {"stable": 1, "canary": 2}},
    ]}}
    (tmp_path / "m.json").write_text(json.dumps(document))
    import yaml

    (tmp_path / "m.yaml").write_text(yaml.safe_dump(document))
    text = tmp_path / "m.config"
    text.write_text(TEXT)
    expected = load_model_config(str(text))[0]
    assert load_model_config(str(tmp_path / "m.json")) == [expected]
    assert load_model_config(str(tmp_path / "m.yaml")) == [expected]


@pytest.mark.parametrize(
    "text, message",
    [
        ("model_config_list { config { name: '../etc' base_path: '/x' } }", "A model name must be"),
        ("model_config_list { config { name: 'a' base_path: '/x' colour: 1 } }", "Unknown ModelConfig fields"),
        ("model_config_list { config { name: 'a' base_path: '/x' }", "Missing '}'"),
        ("model_config_list { }", "configures no model"),
        ("model_config_list { config { name: 'a' model_version_policy { specific { } } } }", "lists no versions"),
    ],
)
def test_bad_model_configs(tmp_path, text, message):
    path = tmp_path / "bad.config"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_model_config(str(path))


def test_batching_parameters_file(tmp_path):
    path = tmp_path / "batching.config"
    path.write_text("max_batch_size { value: 16 }\nbatch_timeout_micros { value: 500 }\nnum_batch_threads { value: 2 }\n"
                    "allowed_batch_sizes: 4\nallowed_batch_sizes: 16\npad_variable_length_inputs: true\n")
    parameters = load_batching_parameters(str(path))
    assert (parameters.max_batch_size, parameters.batch_timeout_micros, parameters.num_batch_threads) == (16, 500, 2)
    assert parameters.buckets == (4, 16)
    path.write_text("max_batch_size { value: 16 } max_latency { value: 1 }")
    with pytest.raises(ValueError, match=r"Unknown batching parameters \['max_latency'\]"):
        load_batching_parameters(str(path))


def test_text_format_values():
    assert parse_text_format("a: 1.5 b: -2 c: true d: 'x\\'y' e [1, 2]") == {
        "a": [1.5], "b": [-2], "c": [True], "d": ["x'y"], "e": [1, 2]
    }
