"""`BertTextClassifierPreprocessor`: strings to BERT inputs."""

import keras
import numpy as np

from kerasverse.models import Preprocessor
from kerasverse.nlp.layers.preprocessing import MultiSegmentPacker
from kerasverse.nlp.models.bert.bert_tokenizer import BertTokenizer
from kerasverse.nlp.models.text_inputs import check_texts


@keras.saving.register_keras_serializable(package="kerasverse")
class BertTextClassifierPreprocessor(Preprocessor):
    """Tokenizes and packs one or more text segments for a BERT model (host-side, numpy).

    `x` is a list of strings, or a tuple of lists for segment pairs
    (`(premises, hypotheses)`). Each row becomes
    `[CLS] a [SEP] b [SEP]`, truncated to `sequence_length` and padded,
    with `segment_ids` and `padding_mask`.

    Args:
        tokenizer: a `BertTokenizer`.
        sequence_length: the packed length (at most the backbone's
            `max_sequence_length`).
        truncate: `"round_robin"` or `"waterfall"`.
        **kwargs: `keras.layers.Layer` arguments.

    Example:

    ```python
    preprocessor = BertTextClassifierPreprocessor.from_preset("path/to/bert", sequence_length=64)
    x = preprocessor(["The quick brown fox."])  # dict of (1, 64) int32 arrays
    ```
    """

    tokenizer_cls = BertTokenizer

    def __init__(self, tokenizer=None, sequence_length=512, truncate="round_robin", **kwargs):
        super().__init__(tokenizer=tokenizer, **kwargs)
        if isinstance(sequence_length, bool) or not isinstance(sequence_length, int) or sequence_length < 2:
            raise ValueError(f"`sequence_length` must be an integer >= 2. Received: sequence_length={sequence_length!r}")
        if truncate not in ("round_robin", "waterfall"):
            raise ValueError(f"`truncate` must be 'round_robin' or 'waterfall'. Received: truncate={truncate!r}")
        self.sequence_length = sequence_length
        self.truncate = truncate

    def pack(self, x):
        """Tokenizes and packs `x` into the backbone's input dict (numpy int32)."""
        segments, _ = check_texts(x)
        tokenized = tuple(self.tokenizer.tokenize(list(segment)) for segment in segments)
        packer = MultiSegmentPacker(
            sequence_length=self.sequence_length,
            start_value=self.tokenizer.cls_token_id,
            end_value=self.tokenizer.sep_token_id,
            pad_value=self.tokenizer.pad_token_id,
            truncate=self.truncate,
        )
        token_ids, segment_ids = packer(tokenized)
        token_ids = np.asarray(token_ids, "int32")
        padding_mask = (token_ids != self.tokenizer.pad_token_id).astype("int32")
        return {"token_ids": token_ids, "segment_ids": np.asarray(segment_ids, "int32"), "padding_mask": padding_mask}

    def call(self, x, y=None, sample_weight=None):
        return keras.utils.pack_x_y_sample_weight(self.pack(x), y, sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update({"sequence_length": self.sequence_length, "truncate": self.truncate})
        return config
