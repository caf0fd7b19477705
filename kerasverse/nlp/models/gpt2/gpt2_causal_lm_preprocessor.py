"""`GPT2CausalLMPreprocessor`: strings to next-token training pairs and generation prompts."""

import keras
import numpy as np

from kerasverse.models import Preprocessor
from kerasverse.nlp.models.gpt2.gpt2_tokenizer import GPT2Tokenizer


def _check_prompts(x):
    if isinstance(x, str):
        return [x]
    if isinstance(x, (list, tuple, np.ndarray)):
        x = list(x)
        if not x:
            raise ValueError("Received an empty batch of prompts. Pass at least one string.")
        return x
    raise TypeError(f"Expected a string or a list of strings. Received: {type(x).__name__}")


@keras.saving.register_keras_serializable(package="kerasverse")
class GPT2CausalLMPreprocessor(Preprocessor):
    """Prepares text for `GPT2CausalLM` (host-side, numpy).

    For training, `preprocessor(x)` tokenizes, adds `<|endoftext|>` at the
    start (and end), truncates/pads to `sequence_length + 1` and returns
    `(x, y, sample_weight)`: inputs are tokens `[:-1]`, labels tokens `[1:]`,
    and the weights mask the padding.

    For generation, `generate_preprocess(prompts, sequence_length)` gives
    right-padded `token_ids` and `padding_mask` of exactly `sequence_length`
    (prompts longer than that are truncated, keeping their beginning), and
    `generate_postprocess` turns generated ids back into strings.

    Args:
        tokenizer: a `GPT2Tokenizer`.
        sequence_length: the training length.
        add_start_token: prepend `<|endoftext|>`.
        add_end_token: append `<|endoftext|>` in training.
        **kwargs: `keras.layers.Layer` arguments.

    Example:

    ```python
    preprocessor = GPT2CausalLMPreprocessor(tokenizer, sequence_length=8)
    x, y, sample_weight = preprocessor(["a quick fox"])
    ```
    """

    tokenizer_cls = GPT2Tokenizer

    def __init__(self, tokenizer=None, sequence_length=1024, add_start_token=True, add_end_token=True, **kwargs):
        super().__init__(tokenizer=tokenizer, **kwargs)
        if isinstance(sequence_length, bool) or not isinstance(sequence_length, int) or sequence_length < 1:
            raise ValueError(f"`sequence_length` must be a positive integer. Received: sequence_length={sequence_length!r}")
        self.sequence_length = sequence_length
        self.add_start_token = add_start_token
        self.add_end_token = add_end_token

    def _pack(self, x, length, add_end_token):
        rows = self.tokenizer.tokenize(_check_prompts(x))
        token_ids = np.full((len(rows), length), self.tokenizer.pad_token_id, "int32")
        padding_mask = np.zeros((len(rows), length), "int32")
        for i, row in enumerate(rows):
            ids = ([self.tokenizer.start_token_id] if self.add_start_token else []) + list(row)
            if add_end_token:
                ids.append(self.tokenizer.end_token_id)
            ids = ids[:length]
            token_ids[i, : len(ids)] = ids
            padding_mask[i, : len(ids)] = 1
        return token_ids, padding_mask

    def call(self, x, y=None, sample_weight=None, sequence_length=None):
        if y is not None or sample_weight is not None:
            raise ValueError(
                "GPT2CausalLMPreprocessor makes its own labels from the text. Received `y` or "
                "`sample_weight`; pass only `x`."
            )
        length = (sequence_length or self.sequence_length) + 1
        token_ids, padding_mask = self._pack(x, length, self.add_end_token)
        inputs = {"token_ids": token_ids[:, :-1], "padding_mask": padding_mask[:, :-1]}
        return keras.utils.pack_x_y_sample_weight(inputs, token_ids[:, 1:], padding_mask[:, 1:])

    def generate_preprocess(self, x, sequence_length=None):
        """Prompts → `{"token_ids", "padding_mask"}` of length `sequence_length`, no end token."""
        token_ids, padding_mask = self._pack(x, sequence_length or self.sequence_length, add_end_token=False)
        return {"token_ids": token_ids, "padding_mask": padding_mask}

    def generate_postprocess(self, x):
        """Generated `{"token_ids", "padding_mask"}` → strings, without special tokens."""
        token_ids = np.asarray(keras.ops.convert_to_numpy(x["token_ids"]))
        padding_mask = np.asarray(keras.ops.convert_to_numpy(x["padding_mask"])).astype(bool)
        special = {self.tokenizer.start_token_id, self.tokenizer.end_token_id, self.tokenizer.pad_token_id}
        outputs = []
        for ids, mask in zip(token_ids, padding_mask):
            kept = [int(t) for t, m in zip(ids, mask) if m and int(t) not in special]
            outputs.append(self.tokenizer.detokenize(kept))
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "sequence_length": self.sequence_length,
                "add_start_token": self.add_start_token,
                "add_end_token": self.add_end_token,
            }
        )
        return config
