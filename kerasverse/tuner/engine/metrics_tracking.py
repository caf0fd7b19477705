"""`MetricsTracker`: the per-step history of each metric of a trial."""

import math

import numpy as np


class MetricHistory:
    """The values of one metric, one (averaged) observation per step.

    Args:
        direction: `"min"` or `"max"`: which value counts as the best.
    """

    def __init__(self, direction="min"):
        if direction not in ("min", "max"):
            raise ValueError(
                f"`direction` must be 'min' or 'max'. Received: direction={direction!r}"
            )
        self.direction = direction
        self._observations = {}

    def update(self, value, step):
        self._observations.setdefault(int(step), []).append(float(value))

    def _means(self):
        return {step: float(np.mean(values)) for step, values in self._observations.items()}

    def get_history(self):
        return sorted(self._means().items())

    def _best(self):
        items = [(s, v) for s, v in self.get_history() if not math.isnan(v)]
        if not items:
            return None, None
        pick = min if self.direction == "min" else max
        step, value = pick(items, key=lambda item: item[1])
        return step, value

    def get_best_value(self):
        return self._best()[1]

    def get_best_step(self):
        return self._best()[0]

    def get_last_value(self):
        history = self.get_history()
        return history[-1][1] if history else None

    def get_config(self):
        return {
            "direction": self.direction,
            "observations": [
                {"step": step, "value": values} for step, values in sorted(self._observations.items())
            ],
        }

    @classmethod
    def from_config(cls, config):
        history = cls(config["direction"])
        for observation in config["observations"]:
            history._observations[int(observation["step"])] = [float(v) for v in observation["value"]]
        return history


class MetricsTracker:
    """Tracks the metric histories of one trial.

    Example:

    ```python
    tracker = MetricsTracker()
    tracker.register("val_loss", direction="min")
    tracker.update("val_loss", 0.5, step=0)
    tracker.get_best_value("val_loss")  # 0.5
    ```
    """

    def __init__(self, metrics=None):
        self.metrics = {}
        for name in metrics or []:
            self.register(name)

    def exists(self, name):
        return name in self.metrics

    def register(self, name, direction=None):
        if name in self.metrics:
            raise ValueError(f"Metric already exists: {name}")
        if direction is None:
            from kerasverse.tuner.engine.objective import infer_direction

            direction = infer_direction(name) or "min"
        self.metrics[name] = MetricHistory(direction)

    def update(self, name, value, step=0):
        value = float(value)
        if not self.exists(name):
            self.register(name)
        history = self.metrics[name]
        previous_best = history.get_best_value()
        history.update(value, step)
        new_best = history.get_best_value()
        return previous_best is None or new_best != previous_best

    def get_history(self, name):
        return self._get(name).get_history()

    def get_best_value(self, name):
        return self._get(name).get_best_value()

    def get_best_step(self, name):
        return self._get(name).get_best_step()

    def get_last_value(self, name):
        return self._get(name).get_last_value()

    def get_direction(self, name):
        return self._get(name).direction

    def _get(self, name):
        if name not in self.metrics:
            raise ValueError(f"Unknown metric: {name}. Known metrics: {sorted(self.metrics)}")
        return self.metrics[name]

    def get_config(self):
        return {"metrics": {name: h.get_config() for name, h in self.metrics.items()}}

    @classmethod
    def from_config(cls, config):
        tracker = cls()
        tracker.metrics = {
            name: MetricHistory.from_config(c) for name, c in config["metrics"].items()
        }
        return tracker
