"""`BertMaskedLMPreprocessor`: strings to masked-language-model training batches."""

import keras
import numpy as np

from kerasverse.nlp.layers.preprocessing import MaskedLMMaskGenerator
from kerasverse.nlp.models.bert.bert_text_classifier_preprocessor import (
    BertTextClassifierPreprocessor,
)


@keras.saving.register_keras_serializable(package="kerasverse")
class BertMaskedLMPreprocessor(BertTextClassifierPreprocessor):
    """Packs text like `BertTextClassifierPreprocessor`, then masks tokens for MLM training.

    Returns `(x, y, sample_weight)`: `x` is the backbone inputs plus
    `mask_positions`, `y` the original ids at those positions and
    `sample_weight` 1 for real predictions, 0 for padding. Special tokens
    are never masked.

    Args:
        tokenizer: a `BertTokenizer`.
        sequence_length: the packed length.
        truncate: `"round_robin"` or `"waterfall"`.
        mask_selection_rate: share of tokens selected for prediction.
        mask_selection_length: predictions per row (padded).
        mask_token_rate: share of selected tokens replaced by `[MASK]`.
        random_token_rate: share replaced by a random token.
        seed: seed of the masking.
        **kwargs: `keras.layers.Layer` arguments.

    Example:

    ```python
    preprocessor = BertMaskedLMPreprocessor(tokenizer, sequence_length=32, mask_selection_length=4, seed=0)
    x, y, sample_weight = preprocessor(["The quick brown fox."])
    ```
    """

    def __init__(
        self,
        tokenizer=None,
        sequence_length=512,
        truncate="round_robin",
        mask_selection_rate=0.15,
        mask_selection_length=96,
        mask_token_rate=0.8,
        random_token_rate=0.1,
        seed=None,
        **kwargs,
    ):
        super().__init__(tokenizer=tokenizer, sequence_length=sequence_length, truncate=truncate, **kwargs)
        self.mask_selection_rate = mask_selection_rate
        self.mask_selection_length = mask_selection_length
        self.mask_token_rate = mask_token_rate
        self.random_token_rate = random_token_rate
        self.seed = seed
        self.masker = None
        if tokenizer is not None:
            self.masker = MaskedLMMaskGenerator(
                vocabulary_size=tokenizer.vocabulary_size(),
                mask_selection_rate=mask_selection_rate,
                mask_token_id=tokenizer.mask_token_id,
                mask_selection_length=mask_selection_length,
                unselectable_token_ids=[tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id],
                mask_token_rate=mask_token_rate,
                random_token_rate=random_token_rate,
                seed=seed,
            )

    def call(self, x, y=None, sample_weight=None):
        if y is not None or sample_weight is not None:
            raise ValueError("BertMaskedLMPreprocessor makes its own labels. Received `y` or `sample_weight`; pass only `x`.")
        inputs = self.pack(x)
        masked = self.masker(inputs["token_ids"])
        inputs["token_ids"] = np.asarray(masked["token_ids"], "int32")
        inputs["mask_positions"] = np.asarray(masked["mask_positions"], "int32")
        return inputs, np.asarray(masked["mask_ids"], "int32"), np.asarray(masked["mask_weights"], "float32")

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "mask_selection_rate": self.mask_selection_rate,
                "mask_selection_length": self.mask_selection_length,
                "mask_token_rate": self.mask_token_rate,
                "random_token_rate": self.random_token_rate,
                "seed": self.seed,
            }
        )
        return config
