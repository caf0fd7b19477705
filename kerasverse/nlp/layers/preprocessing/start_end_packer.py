"""`StartEndPacker`: adds start/end tokens and pads to a fixed length."""

import keras
import numpy as np

from kerasverse.nlp.layers.preprocessing import sequences


@keras.saving.register_keras_serializable(package="kerasverse")
class StartEndPacker(keras.layers.Layer):
    """Adds start and end tokens to sequences and pads them to a fixed length.

    Same signature and outputs as `keras_hub.layers.StartEndPacker`: the
    start value(s) go first, the sequence is truncated to leave room for the
    end value(s), which go last, and the result is padded with `pad_value`
    (on `padding_side`) to `sequence_length`.

    Runs on the host with numpy: inputs are a list of ids (one sequence), a
    list of lists (a ragged batch), or a 1D/2D numpy array; token strings
    work too. Outputs are numpy arrays. On a dense int tensor (a backend
    tensor or a symbolic Keras input) it runs with `keras.ops`, so it can
    sit inside a model; every position of a dense tensor counts as a token.

    Args:
        sequence_length: int. The output length.
        start_value: int/str, or a list of them, put at the start. `None`
            for none.
        end_value: int/str, or a list of them, put at the end. `None` for none.
        pad_value: int/str. The padding value. Defaults to 0 (`""` for
            strings).
        return_padding_mask: bool. Also return a boolean mask, True where the
            output holds a token. Defaults to `False`.
        padding_side: `"right"` (default) or `"left"`.

    Call arguments:
        inputs: the sequence(s).
        sequence_length: overrides the layer's `sequence_length`.
        add_start_value: bool. Whether to add the start value(s).
        add_end_value: bool. Whether to add the end value(s).

    Example:

    ```python
    packer = StartEndPacker(sequence_length=6, start_value=1, end_value=2)
    packer([[5, 6, 7], [8, 9, 10, 11, 12]])
    # array([[1, 5, 6, 7, 2, 0], [1, 8, 9, 10, 11, 2]], dtype=int32)
    ```
    """

    def __init__(
        self,
        sequence_length,
        start_value=None,
        end_value=None,
        pad_value=None,
        return_padding_mask=False,
        padding_side="right",
        **kwargs,
    ):
        super().__init__(**kwargs)
        sequences.check_sequence_length(sequence_length)
        sequences.check_padding_side(padding_side)
        self.sequence_length = sequence_length
        self._start_value = start_value
        self._end_value = end_value
        self.start_value = sequences.as_value_list(start_value, "start_value")
        self.end_value = sequences.as_value_list(end_value, "end_value")
        self.pad_value = pad_value
        self.return_padding_mask = return_padding_mask
        self.padding_side = padding_side

    def __call__(self, inputs, sequence_length=None, add_start_value=True, add_end_value=True, **kwargs):
        if sequences.is_model_tensor(inputs):
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
        if sequences.is_model_tensor(inputs):
            return self._call_ops(inputs, sequence_length, add_start_value, add_end_value)
        rows, batched = sequences.to_rows(inputs)
        start = self.start_value if add_start_value else []
        end = self.end_value if add_end_value else []
        packed = []
        for row in rows:
            row = start + row
            if end:
                row = row[: max(sequence_length - len(end), 0)] + end
            packed.append(row)
        is_string = any(isinstance(v, str) for row in packed for v in row)
        pad_value = self.pad_value if self.pad_value is not None else ("" if is_string else 0)
        dtype = None
        if isinstance(inputs, np.ndarray) and inputs.dtype.kind in "iu":
            dtype = inputs.dtype
        outputs, mask = sequences.pad_rows(packed, sequence_length, pad_value, self.padding_side, dtype)
        if not batched:
            outputs, mask = outputs[0], mask[0]
        if self.return_padding_mask:
            return outputs, mask
        return outputs

    def _call_ops(self, x, sequence_length, add_start_value, add_end_value):
        from keras import ops

        if any(isinstance(v, str) for v in self.start_value + self.end_value) or isinstance(self.pad_value, str):
            raise ValueError("String tokens need the host path: call the packer on Python lists or numpy arrays.")
        start = self.start_value if add_start_value else []
        end = self.end_value if add_end_value else []
        parts = [x]
        if start:
            parts.insert(0, sequences.ops_constant_columns(start, x))
        x = ops.concatenate(parts, axis=-1) if len(parts) > 1 else x
        if end:
            x = x[..., : max(sequence_length - len(end), 0)]
            x = ops.concatenate([x, sequences.ops_constant_columns(end, x)], axis=-1)
        length = min(x.shape[-1], sequence_length)
        pad_value = 0 if self.pad_value is None else self.pad_value
        outputs = sequences.ops_pad(x, sequence_length, pad_value, self.padding_side)
        if not self.return_padding_mask:
            return outputs
        mask = ops.ones_like(x[..., :length], dtype="bool")
        mask = sequences.ops_pad(mask, sequence_length, False, self.padding_side)
        return outputs, mask

    def compute_output_shape(self, inputs_shape):
        return (*tuple(inputs_shape)[:-1], self.sequence_length)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "sequence_length": self.sequence_length,
                "start_value": self._start_value,
                "end_value": self._end_value,
                "pad_value": self.pad_value,
                "return_padding_mask": self.return_padding_mask,
                "padding_side": self.padding_side,
            }
        )
        return config
