"""`GPT2Tokenizer`: byte-level BPE with GPT-2's `<|endoftext|>` token."""

import keras

from kerasverse.nlp.models.tokenizer_presets import tokenizer_from_preset
from kerasverse.nlp.tokenizers import BytePairTokenizer

END_OF_TEXT = "<|endoftext|>"


@keras.saving.register_keras_serializable(package="kerasverse")
class GPT2Tokenizer(BytePairTokenizer):
    """A `BytePairTokenizer` with GPT-2's `<|endoftext|>` as start, end and padding token.

    `<|endoftext|>` must be in the vocabulary; it is never split when it
    appears in the text. Its id is `start_token_id`, `end_token_id` and
    `pad_token_id`.

    Args:
        vocabulary: a dict token → id, or the path of a `vocab.json`.
        merges: a list of merge rules, or the path of a `merges.txt`.
        **kwargs: other `BytePairTokenizer` arguments.

    Example:

    ```python
    tokenizer = GPT2Tokenizer.from_preset("path/to/gpt2")
    tokenizer("Hello world")
    ```
    """

    def __init__(self, vocabulary=None, merges=None, **kwargs):
        kwargs.setdefault("unsplittable_tokens", [END_OF_TEXT])
        super().__init__(vocabulary=vocabulary, merges=merges, **kwargs)
        self._add_special_token(END_OF_TEXT, "end_token")
        self._add_special_token(END_OF_TEXT, "start_token")
        self._add_special_token(END_OF_TEXT, "pad_token")
        if vocabulary is not None and merges is not None:
            self._update_special_token_ids()

    @classmethod
    def from_preset(cls, preset, **kwargs):
        """Builds the tokenizer from a kerasverse preset or a Hugging Face GPT-2 directory."""
        return tokenizer_from_preset(cls, preset, **kwargs)
