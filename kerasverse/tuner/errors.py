"""Errors a hypermodel or tuner raises to steer the search (keras_tuner names).

- `FailedTrialError`: the trial is marked FAILED at once, without retries.
- `FatalError` and its `FatalValueError`, `FatalTypeError`, `FatalRuntimeError`:
  the whole search stops and the error propagates to the caller.
- Any other exception: the trial is retried up to `max_retries_per_trial`
  times, then marked FAILED with its traceback kept in `trial.message`.

Example:

```python
import kerasverse.tuner as kt

def build_model(hp):
    units = hp.Int("units", 8, 64)
    if units > 32:
        raise kt.errors.FailedTrialError("Too many units for this device.")
    ...
```
"""


class FailedTrialError(Exception):
    """Marks the current trial FAILED; it is not retried."""


class FatalError(Exception):
    """Stops the whole search; the error reaches the caller of `search`."""


class FatalValueError(FatalError, ValueError):
    """A `FatalError` that is also a `ValueError`."""


class FatalTypeError(FatalError, TypeError):
    """A `FatalError` that is also a `TypeError`."""


class FatalRuntimeError(FatalError, RuntimeError):
    """A `FatalError` that is also a `RuntimeError`."""


class StudyStorageError(RuntimeError):
    """The study storage is unreachable or its content is not a kerasverse study."""
