import time

from benchmarks import harness


def test_measure_takes_the_median_after_warmup():
    calls = []

    def fn():
        calls.append(1)
        time.sleep(0.001 * len(calls))

    timing = harness.measure(fn, repeat=3, warmup=2)
    assert len(calls) == 5
    assert len(timing.runs) == 3
    # Timed runs are calls 3, 4 and 5 (after 2 warm-ups): each lasts at least
    # its sleep. (An ordering check flaked on a loaded machine.)
    for index, run in enumerate(timing.runs):
        assert run >= 0.001 * (index + 3)
    assert timing.median_s == sorted(timing.runs)[1]


def test_ratio_direction():
    ours = harness.Timing("a", 1.0, [1.0])
    peer = harness.Timing("b", 3.0, [3.0])
    assert harness.comparison_row("x", ours, peer)["ratio"] == "3.00x"
    assert harness.comparison_row("x", 30.0, 10.0, unit="img/s", higher_is_better=True)["ratio"] == "3.00x"
    assert harness.comparison_row("x", ours, None)["ratio"] == "n/a"


def test_format_table_aligns_columns():
    table = harness.format_table([{"case": "long case name", "ratio": "1x"}], ["case", "ratio"])
    lines = table.splitlines()
    assert len({len(line) for line in lines}) == 1
    assert "long case name" in lines[2]
