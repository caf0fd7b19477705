"""`BoxMatcher`: assign each row (anchor) to its best column (ground-truth box)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasverse")
class BoxMatcher(keras.layers.Layer):
    """Argmax matching of a similarity matrix (e.g. IoU of anchors x boxes).

    Each row is matched to the column of highest similarity; the similarity
    value then falls in one of the intervals cut by `thresholds` (with
    `-inf` and `+inf` added at the ends), which gives the row's match value
    (e.g. negative, ignored, positive). With `force_match_for_each_col`,
    every column's best row is matched to it with the last (positive) match
    value, even under the threshold.

    Args:
        thresholds: sorted list of floats.
        match_values: list of ints, one more than `thresholds`.
        force_match_for_each_col: see above.

    Call arguments:
        similarity_matrix: `(num_rows, num_cols)` or `(B, num_rows, num_cols)`.

    Returns:
        `(matched_columns, matched_values)`, int32 of shape `(num_rows,)` or
        `(B, num_rows)`. With no columns, columns are 0 and values -1.

    Example:

    >>> import numpy as np
    >>> matcher = BoxMatcher(thresholds=[0.3, 0.7], match_values=[-1, 0, 1])
    >>> iou = np.array([[0.1, 0.8], [0.5, 0.2], [0.1, 0.2]], "float32")
    >>> columns, values = matcher(iou)
    >>> np.asarray(columns).tolist(), np.asarray(values).tolist()
    ([1, 0, 1], [1, 0, -1])
    """

    def __init__(self, thresholds, match_values, force_match_for_each_col=False, **kwargs):
        super().__init__(**kwargs)
        thresholds = [float(t) for t in thresholds]
        if sorted(thresholds) != thresholds:
            raise ValueError(f"`thresholds` must be sorted. Received: thresholds={thresholds}.")
        if len(match_values) != len(thresholds) + 1:
            raise ValueError(
                "`match_values` must have one more entry than `thresholds`. "
                f"Received: thresholds={thresholds}, match_values={match_values}."
            )
        self.thresholds = thresholds
        self.match_values = [int(v) for v in match_values]
        self.force_match_for_each_col = force_match_for_each_col
        self.built = True

    def call(self, similarity_matrix):
        similarity_matrix = ops.convert_to_tensor(similarity_matrix)
        unbatched = len(similarity_matrix.shape) == 2
        if unbatched:
            similarity_matrix = similarity_matrix[None]
        num_rows, num_cols = similarity_matrix.shape[1], similarity_matrix.shape[2]
        batch = ops.shape(similarity_matrix)[0]
        if num_cols == 0:
            columns = ops.zeros((batch, num_rows), "int32")
            values = -ops.ones((batch, num_rows), "int32")
        else:
            columns = ops.cast(ops.argmax(similarity_matrix, axis=-1), "int32")
            best = ops.max(similarity_matrix, axis=-1)
            bucket = ops.zeros_like(columns)
            for threshold in self.thresholds:
                bucket = bucket + ops.cast(best >= threshold, "int32")
            values = ops.take(ops.convert_to_tensor(self.match_values, "int32"), bucket)
            if self.force_match_for_each_col:
                best_rows = ops.argmax(similarity_matrix, axis=1)  # (B, num_cols)
                forced = ops.one_hot(best_rows, num_rows, axis=1, dtype="int32")  # (B, rows, cols)
                is_forced = ops.max(forced, axis=-1) > 0
                forced_col = ops.cast(ops.argmax(forced, axis=-1), "int32")
                columns = ops.where(is_forced, forced_col, columns)
                values = ops.where(is_forced, self.match_values[-1], values)
        if unbatched:
            columns, values = columns[0], values[0]
        return columns, values

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "thresholds": self.thresholds,
                "match_values": self.match_values,
                "force_match_for_each_col": self.force_match_for_each_col,
            }
        )
        return config
