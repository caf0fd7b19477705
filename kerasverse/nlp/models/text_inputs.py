"""Input checks of the text preprocessors: one list of strings, or a tuple of lists (segments)."""

import numpy as np


def check_texts(x, name="x"):
    """Accepts a string, a list of strings or a tuple of such lists (segments)."""
    if isinstance(x, str):
        return ([x],), True
    if isinstance(x, tuple) and x and all(isinstance(s, (list, tuple, np.ndarray)) for s in x):
        segments = tuple(list(s) for s in x)
    elif isinstance(x, (list, np.ndarray)):
        segments = (list(x),)
    else:
        raise TypeError(
            f"`{name}` must be a string, a list of strings, or a tuple of lists of strings (one list per "
            f"segment). Received: {type(x).__name__}"
        )
    lengths = {len(s) for s in segments}
    if len(lengths) != 1:
        raise ValueError(f"All segments must have the same number of rows. Received lengths {sorted(lengths)}")
    if lengths == {0}:
        raise ValueError(f"Received an empty batch: `{name}` has no rows. Pass at least one string.")
    return segments, False
