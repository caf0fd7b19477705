"""The shared benchmark harness: time us and a peer on the same work, print a table.

Every benchmark in this folder follows the same rules (see README.md):
us and the peer run in the same process run on the same data, each case is
warmed up, the reported time is the median of N repetitions, and the table
has a ratio column (peer / ours: > 1 means we are faster).
"""

import dataclasses
import statistics
import time


@dataclasses.dataclass
class Timing:
    name: str
    median_s: float
    runs: list

    @property
    def min_s(self):
        return min(self.runs)


def measure(fn, repeat=5, warmup=1, name=None):
    """Runs `fn()` `warmup` times untimed, then `repeat` times timed.

    Returns:
        A `Timing` with the median and all runs in seconds.
    """
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return Timing(name or getattr(fn, "__name__", "case"), statistics.median(runs), runs)


def format_table(rows, columns):
    """Formats a list of dicts as an aligned text table (markdown-compatible)."""
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) if cells else len(c) for i, c in enumerate(columns)]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for r in cells:
        lines.append("| " + " | ".join(v.ljust(w) for v, w in zip(r, widths)) + " |")
    return "\n".join(lines)


def comparison_row(case, ours, peer, unit="s", scale=1.0, higher_is_better=False):
    """One table row: our figure, the peer's, and the ratio peer/ours.

    For times (`higher_is_better=False`) a ratio above 1 means we are faster;
    for throughputs (`higher_is_better=True`) the ratio is ours/peer, so above
    1 again means we are better.
    """
    ours_value = ours.median_s * scale if isinstance(ours, Timing) else ours
    peer_value = peer.median_s * scale if isinstance(peer, Timing) else peer
    if peer_value is None or ours_value in (None, 0):
        ratio = "n/a"
    elif higher_is_better:
        ratio = f"{ours_value / peer_value:.2f}x"
    else:
        ratio = f"{peer_value / ours_value:.2f}x"
    fmt = lambda v: "n/a" if v is None else f"{v:.4g} {unit}"  # noqa: E731
    return {"case": case, "kerasverse": fmt(ours_value), "peer": fmt(peer_value), "ratio": ratio}
