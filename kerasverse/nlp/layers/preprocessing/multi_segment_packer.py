"""`MultiSegmentPacker`: packs several segments into one fixed-length input."""

import keras

from kerasverse.nlp.layers.preprocessing import sequences


def round_robin_lengths(lengths, budget):
    """Gives the budget one token at a time to each segment that still needs some."""
    kept = [0] * len(lengths)
    budget = max(budget, 0)
    if sum(lengths) <= budget:
        return list(lengths)
    while budget > 0:
        progressed = False
        for s, length in enumerate(lengths):
            if budget == 0:
                break
            if kept[s] < length:
                kept[s] += 1
                budget -= 1
                progressed = True
        if not progressed:
            break
    return kept


def waterfall_lengths(lengths, budget):
    """Fills the segments left to right until the budget runs out."""
    kept = []
    budget = max(budget, 0)
    for length in lengths:
        take = min(length, budget)
        kept.append(take)
        budget -= take
    return kept


@keras.saving.register_keras_serializable(package="kerasverse")
class MultiSegmentPacker(keras.layers.Layer):
    """Packs several token segments into one fixed-length model input.

    Same signature and outputs as `keras_hub.layers.MultiSegmentPacker`
    (BERT's "[CLS] a [SEP] b [SEP]"): segments are truncated to fit with
    `truncate`, joined with `start_value` first, `sep_value` after every
    segment but the last and `end_value` after the last, then padded. The
    segment ids say which segment each token came from (the start token is
    segment 0, a separator belongs to the segment before it).

    Runs on the host with numpy; each segment is a list of ids, a list of
    lists (ragged batch) or a 1D/2D numpy array. On dense int tensors (backend
    tensors or symbolic Keras inputs) it runs with `keras.ops`, so it can sit
    inside a model; every position of a dense segment counts as a token.

    Args:
        sequence_length: int. The output length.
        start_value: int/str or list of them (BERT's "[CLS]").
        end_value: int/str or list of them, after the last segment.
        sep_value: int/str or list of them, after every other segment.
            Defaults to `end_value`.
        pad_value: int/str. Defaults to 0 (`""` for strings).
        truncate: `"round_robin"` (one token at a time to each segment that
            still needs some) or `"waterfall"` (left to right).
        padding_side: `"right"` (default) or `"left"`.

    Returns:
        `(token_ids, segment_ids)`, numpy arrays of shape
        `(batch, sequence_length)` (or `(sequence_length,)` unbatched).

    Example:

    ```python
    packer = MultiSegmentPacker(8, start_value=101, end_value=102)
    packer(([1, 2, 3, 4], [11, 12, 13, 14]))
    # (array([101, 1, 2, 3, 102, 11, 12, 102]), array([0, 0, 0, 0, 0, 1, 1, 1]))
    ```
    """

    def __init__(
        self,
        sequence_length,
        start_value,
        end_value,
        sep_value=None,
        pad_value=None,
        truncate="round_robin",
        padding_side="right",
        **kwargs,
    ):
        super().__init__(**kwargs)
        sequences.check_sequence_length(sequence_length)
        sequences.check_padding_side(padding_side)
        if truncate not in ("round_robin", "waterfall"):
            raise ValueError(
                "`truncate` must be 'round_robin' or 'waterfall'. "
                f"Received: truncate={truncate!r}"
            )
        self.sequence_length = sequence_length
        self.truncate = truncate
        self._start_value = start_value
        self._end_value = end_value
        self._sep_value = sep_value
        self.start_value = sequences.as_value_list(start_value, "start_value")
        self.end_value = sequences.as_value_list(end_value, "end_value")
        self.sep_value = sequences.as_value_list(end_value if sep_value is None else sep_value, "sep_value")
        self.pad_value = pad_value
        self.padding_side = padding_side

    def __call__(self, inputs, sequence_length=None, add_start_value=True, add_end_value=True, **kwargs):
        segments = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
        if segments and all(sequences.is_model_tensor(x) for x in segments):
            # Dense int tensors (e.g. inside a functional model): keras.ops.
            return super().__call__(
                inputs,
                sequence_length=sequence_length,
                add_start_value=add_start_value,
                add_end_value=add_end_value,
                **kwargs,
            )
        return self.call(inputs, sequence_length, add_start_value, add_end_value)

    def call(self, inputs, sequence_length=None, add_start_value=True, add_end_value=True, training=None):
        sequence_length = sequence_length or self.sequence_length
        if isinstance(inputs, list) and inputs and all(sequences.is_model_tensor(x) for x in inputs):
            inputs = tuple(inputs)  # Keras may hand a tuple of tensors over as a list.
        if not isinstance(inputs, tuple):
            inputs = (inputs,)
        if inputs and all(sequences.is_model_tensor(x) for x in inputs):
            return self._call_ops(inputs, sequence_length, add_start_value, add_end_value)
        if not inputs:
            raise ValueError("At least one segment is required for packing. Received: inputs=()")
        converted = [sequences.to_rows(x, name=f"inputs[{i}]") for i, x in enumerate(inputs)]
        segments = [rows for rows, _ in converted]
        if len({batched for _, batched in converted}) != 1:
            raise ValueError(
                "All segments must have the same rank (all single sequences or "
                f"all batches). Received ranks: {[2 if b else 1 for _, b in converted]}"
            )
        if len({len(rows) for rows in segments}) != 1:
            raise ValueError(
                "All segments must have the same batch size. Received: "
                f"{[len(rows) for rows in segments]}"
            )
        batched = converted[0][1]
        num_segments = len(segments)
        start = self.start_value if add_start_value else []
        end = self.end_value if add_end_value else []
        num_special = len(start) + (num_segments - 1) * len(self.sep_value) + len(end)
        budget = sequence_length - num_special
        allocate = round_robin_lengths if self.truncate == "round_robin" else waterfall_lengths
        token_rows, segment_rows = [], []
        for b in range(len(segments[0])):
            parts = [segments[s][b] for s in range(num_segments)]
            kept = allocate([len(p) for p in parts], budget)
            tokens = list(start)
            segment_ids = [0] * len(start)
            for s, (part, keep) in enumerate(zip(parts, kept)):
                closing = end if s == num_segments - 1 else self.sep_value
                tokens.extend(part[:keep])
                tokens.extend(closing)
                segment_ids.extend([s] * (keep + len(closing)))
            token_rows.append(tokens)
            segment_rows.append(segment_ids)
        is_string = any(isinstance(v, str) for row in token_rows for v in row)
        pad_value = self.pad_value if self.pad_value is not None else ("" if is_string else 0)
        token_ids, _ = sequences.pad_rows(token_rows, sequence_length, pad_value, self.padding_side)
        segment_ids, _ = sequences.pad_rows(segment_rows, sequence_length, 0, self.padding_side)
        if not batched:
            return token_ids[0], segment_ids[0]
        return token_ids, segment_ids

    def _call_ops(self, segments, sequence_length, add_start_value, add_end_value):
        """Dense segments: every position is a token, so the allocation is static."""
        from keras import ops

        values = self.start_value + self.end_value + self.sep_value
        if any(isinstance(v, str) for v in values) or isinstance(self.pad_value, str):
            raise ValueError("String tokens need the host path: call the packer on Python lists or numpy arrays.")
        num_segments = len(segments)
        start = self.start_value if add_start_value else []
        end = self.end_value if add_end_value else []
        budget = sequence_length - len(start) - (num_segments - 1) * len(self.sep_value) - len(end)
        allocate = round_robin_lengths if self.truncate == "round_robin" else waterfall_lengths
        kept = allocate([int(x.shape[-1]) for x in segments], budget)
        like = segments[0]
        parts, segment_ids = [], []
        if start:
            parts.append(sequences.ops_constant_columns(start, like))
            segment_ids += [0] * len(start)
        for s, (x, keep) in enumerate(zip(segments, kept)):
            closing = end if s == num_segments - 1 else self.sep_value
            parts.append(ops.cast(x[..., :keep], like.dtype))
            if closing:
                parts.append(sequences.ops_constant_columns(closing, like))
            segment_ids += [s] * (keep + len(closing))
        token_ids = ops.concatenate(parts, axis=-1)
        segment_ids = sequences.ops_constant_columns(segment_ids, ops.cast(like, "int32"))
        pad_value = 0 if self.pad_value is None else self.pad_value
        return (
            sequences.ops_pad(token_ids, sequence_length, pad_value, self.padding_side),
            sequences.ops_pad(segment_ids, sequence_length, 0, self.padding_side),
        )

    def compute_output_shape(self, inputs_shape):
        first = inputs_shape[0] if isinstance(inputs_shape[0], (tuple, list)) else inputs_shape
        shape = (*tuple(first)[:-1], self.sequence_length)
        return shape, shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "sequence_length": self.sequence_length,
                "start_value": self._start_value,
                "end_value": self._end_value,
                "sep_value": self._sep_value,
                "pad_value": self.pad_value,
                "truncate": self.truncate,
                "padding_side": self.padding_side,
            }
        )
        return config


