"""The search's progress bar and its results table."""

import sys
import time


def format_seconds(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600:02d}h {seconds // 60 % 60:02d}m {seconds % 60:02d}s"


def format_value(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def format_table(header, rows):
    """A markdown-compatible table."""
    cells = [[format_value(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        lines.append("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths)) + " |")
    return "\n".join(lines)


class ProgressBar:
    """A one-line progress bar over trials, with the best score so far.

    Args:
        total: The number of trials (None when unknown).
        verbose: 0 silent, 1 bar (redrawn in place on a terminal, one line
            per trial otherwise).
        stream: Where to write (default `sys.stderr`).
    """

    def __init__(self, total=None, verbose=1, stream=None, width=24):
        self.total = total
        self.verbose = verbose
        self.stream = stream or sys.stderr
        self.width = width
        self.start = time.time()
        self.done = 0

    def update(self, done, best=None, objective_name=None, last_status=None):
        self.done = done
        if not self.verbose:
            return
        elapsed = format_seconds(time.time() - self.start)
        if self.total:
            filled = int(self.width * min(done, self.total) / self.total)
            bar = "[" + "#" * filled + "." * (self.width - filled) + "]"
            count = f"{done}/{self.total} trials"
        else:
            bar, count = "", f"{done} trials"
        best_text = "" if best is None else f" | best {objective_name}={format_value(best)}"
        status = f" | last: {last_status}" if last_status else ""
        line = f"{bar} {count}{best_text}{status} | {elapsed}"
        interactive = getattr(self.stream, "isatty", lambda: False)()
        if interactive:
            self.stream.write("\r" + line.ljust(100))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self):
        if self.verbose and getattr(self.stream, "isatty", lambda: False)():
            self.stream.write("\n")
            self.stream.flush()
