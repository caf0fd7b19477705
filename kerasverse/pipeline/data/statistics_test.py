import numpy as np
import pyarrow as pa
import pytest

from kerasverse.pipeline.data.statistics import StatisticsAccumulator
from kerasverse.pipeline.data.statistics import feature_stats
from kerasverse.pipeline.data.statistics import generate_statistics_from_csv

pytestmark = pytest.mark.host


def _batch(rng, n):
    values = rng.normal(10.0, 3.0, n)
    values[rng.random(n) < 0.1] = np.nan
    ints = rng.integers(-2, 3, n)
    words = rng.choice(["a", "bb", "ccc"], n, p=[0.6, 0.3, 0.1]).astype(object)
    words[rng.random(n) < 0.05] = None
    return pa.record_batch({"x": pa.array(values, from_pandas=True), "i": ints, "s": pa.array(list(words))})


def test_statistics_match_numpy_and_shards_merge_to_the_whole():
    rng = np.random.default_rng(0)
    batches = [_batch(rng, 5000) for _ in range(4)]
    whole = StatisticsAccumulator()
    for batch in batches:
        whole.update(batch)
    left, right = StatisticsAccumulator(), StatisticsAccumulator(seed=5)
    for batch in batches[:2]:
        left.update(batch)
    for batch in batches[2:]:
        right.update(batch)
    merged = feature_stats(left.merge(right).result("train"))
    stats = feature_stats(whole.result("train"))
    table = pa.Table.from_batches(batches).to_pandas()
    x = table["x"].to_numpy()
    num = stats["x"]["num_stats"]
    assert num["common_stats"]["num_missing"] == int(np.isnan(x).sum())
    assert num["mean"] == pytest.approx(np.nanmean(x), rel=1e-9)
    assert num["std_dev"] == pytest.approx(np.nanstd(x), rel=1e-9)
    assert num["min"] == np.nanmin(x) and num["max"] == np.nanmax(x)
    assert num["median"] == pytest.approx(np.nanmedian(x), abs=0.1)
    assert merged["x"]["num_stats"]["mean"] == pytest.approx(num["mean"], rel=1e-12)
    assert merged["x"]["num_stats"]["std_dev"] == pytest.approx(num["std_dev"], rel=1e-12)
    assert stats["i"]["type"] == "INT"
    assert stats["i"]["num_stats"]["num_zeros"] == int((table["i"] == 0).sum())
    standard = stats["x"]["num_stats"]["histograms"][0]
    assert sum(b["sample_count"] for b in standard["buckets"]) == pytest.approx(np.isfinite(x).sum())
    string = stats["s"]["string_stats"]
    counts = table["s"].value_counts()
    assert string["unique"] == 3
    assert [v["value"] for v in string["top_values"]] == list(counts.index)
    assert [v["frequency"] for v in string["top_values"]] == list(counts.values)
    assert string["common_stats"]["num_missing"] == int(table["s"].isna().sum())
    assert string["avg_length"] == pytest.approx(table["s"].dropna().str.len().mean())
    assert merged["s"]["string_stats"]["top_values"] == string["top_values"]


def test_generate_statistics_from_csv(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,x\n2,y\n,x\n")
    dataset = generate_statistics_from_csv(str(path))["datasets"][0]
    stats = feature_stats(dataset)
    assert dataset["num_examples"] == 3
    assert stats["a"]["num_stats"]["mean"] == 1.5
    assert stats["a"]["num_stats"]["common_stats"]["num_missing"] == 1
    assert stats["b"]["string_stats"]["top_values"][0] == {"value": "x", "frequency": 2}


def test_csv_whose_int_column_turns_float_after_the_first_block(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a\n" + "1\n" * 50000 + "2.5\n")
    dataset = generate_statistics_from_csv(str(path), block_size=1 << 14)["datasets"][0]
    stats = feature_stats(dataset)
    assert dataset["num_examples"] == 50001
    assert stats["a"]["num_stats"]["max"] == 2.5


def test_many_distinct_strings_and_the_bottom_k_sample_across_many_batches():
    import collections

    rng = np.random.default_rng(1)
    batches = [pa.record_batch({"id": pa.array([f"id{j}" for j in rng.integers(0, 60000, 25000)]),
                                "v": rng.normal(size=25000)}) for _ in range(6)]  # > one fold of value counts.
    whole, left, right = StatisticsAccumulator(), StatisticsAccumulator(), StatisticsAccumulator(seed=3)
    for index, batch in enumerate(batches):
        whole.update(batch)
        (left if index % 2 else right).update(batch)
    oracle = collections.Counter(v for batch in batches for v in batch.column(0).to_pylist())
    expected = sorted(oracle.items(), key=lambda item: (-item[1], item[0]))[:20]
    for stats in (feature_stats(whole.result("")), feature_stats(left.merge(right).result(""))):
        string = stats["id"]["string_stats"]
        assert string["unique"] == len(oracle)
        assert [(v["value"], v["frequency"]) for v in string["top_values"]] == expected
        values = np.concatenate([batch.column(1).to_numpy() for batch in batches])
        assert stats["v"]["num_stats"]["mean"] == pytest.approx(values.mean(), rel=1e-9)
        assert stats["v"]["num_stats"]["median"] == pytest.approx(np.median(values), abs=0.05)  # 20,000-value sample.
