import pyarrow as pa
import pytest

from kerasverse.pipeline.data.schema import infer_schema
from kerasverse.pipeline.data.schema import jensen_shannon_divergence
from kerasverse.pipeline.data.schema import l_infinity_distance
from kerasverse.pipeline.data.schema import load_schema
from kerasverse.pipeline.data.schema import validate_statistics
from kerasverse.pipeline.data.schema import write_schema
from kerasverse.pipeline.data.statistics import feature_stats
from kerasverse.pipeline.data.statistics import generate_statistics_from_batches

pytestmark = pytest.mark.host


def _stats(**columns):
    return generate_statistics_from_batches([pa.record_batch(columns)])


def _kinds(result):
    return {name: [reason["type"] for reason in info["reason"]] for name, info in result["anomaly_info"].items()}


def test_infer_schema_types_presence_shapes_domains(tmp_path):
    schema = infer_schema(_stats(x=[1.0, None, 2.0], n=[1, 2, 3], s=["a", "b", "a"]))
    features = {f["name"]: f for f in schema["feature"]}
    assert features["x"]["type"] == "FLOAT" and "value_count" in features["x"]
    assert features["n"]["type"] == "INT" and features["n"]["shape"] == {"dim": [{"size": 1}]}
    assert features["n"]["presence"]["min_fraction"] == 1.0
    assert schema["string_domain"] == [{"name": "s", "value": ["a", "b"]}]
    write_schema(schema, str(tmp_path / "schema.json"))
    assert load_schema(str(tmp_path)) == schema
    (tmp_path / "schema.yaml").write_text("feature:\n  - name: n\n    type: INT\n")
    assert load_schema(str(tmp_path / "schema.yaml"))["feature"][0]["type"] == "INT"
    (tmp_path / "bad.json").write_text('{"feature": [{"name": "n", "type": "DOUBLE"}]}')
    with pytest.raises(ValueError, match="has type 'DOUBLE'; expected INT, FLOAT or BYTES"):
        load_schema(str(tmp_path / "bad.json"))


def test_validate_finds_tfdv_anomaly_kinds():
    schema = infer_schema(_stats(x=[1.0, 2.0, 3.0], n=[1, 2, 3], s=["a", "b", "a"], gone=[1, 1, 1]))
    features = {f["name"]: f for f in schema["feature"]}
    features["x"]["float_domain"] = {"min": 0.0, "max": 5.0}
    current = _stats(x=[1.0, None, 9.0], n=["1", "2", "3"], s=["a", "z", "a"], extra=[1, 2, 3])
    kinds = _kinds(validate_statistics(current, schema))
    assert kinds["gone"] == ["SCHEMA_MISSING_COLUMN"]
    assert kinds["extra"] == ["SCHEMA_NEW_COLUMN"]
    assert kinds["n"] == ["UNEXPECTED_DATA_TYPE"]
    assert kinds["s"] == ["ENUM_TYPE_UNEXPECTED_STRING_VALUES"]
    assert kinds["x"] == ["FEATURE_TYPE_LOW_FRACTION_PRESENT", "FLOAT_TYPE_BIG_FLOAT"]
    assert validate_statistics(_stats(x=[1.0, 2.0, 3.0], n=[1, 2, 3], s=["a", "b", "a"], gone=[1, 1, 1]),
                               schema)["anomaly_info"] == {}


def test_drift_l_infinity_and_jensen_shannon():
    before = _stats(s=["a", "b"] * 50, x=[float(i % 10) for i in range(100)])
    after = _stats(s=["a"] * 100, x=[float(i % 10) + 20 for i in range(100)])
    s_before, s_after = feature_stats(before)["s"], feature_stats(after)["s"]
    assert l_infinity_distance(s_after, s_before) == pytest.approx(0.5)
    assert l_infinity_distance(s_before, s_before) == 0.0
    x_before, x_after = feature_stats(before)["x"], feature_stats(after)["x"]
    assert jensen_shannon_divergence(x_before, x_before) == pytest.approx(0.0, abs=1e-12)
    assert jensen_shannon_divergence(x_after, x_before) == pytest.approx(1.0)  # Disjoint supports.
    schema = infer_schema(before)
    for feature in schema["feature"]:
        feature["drift_comparator"] = ({"infinity_norm": {"threshold": 0.1}} if feature["name"] == "s"
                                       else {"jensen_shannon_divergence": {"threshold": 0.1}})
    kinds = _kinds(validate_statistics(after, schema, previous_statistics=before))
    assert "COMPARATOR_L_INFTY_HIGH" in kinds["s"]
    assert kinds["x"] == ["COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH"]
    assert validate_statistics(before, schema, previous_statistics=before)["anomaly_info"] == {}
