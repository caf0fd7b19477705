"""`BertTokenizer`: WordPiece with BERT's special tokens."""

import keras

from kerasverse.nlp.models.tokenizer_presets import tokenizer_from_preset
from kerasverse.nlp.tokenizers import WordPieceTokenizer


@keras.saving.register_keras_serializable(package="kerasverse")
class BertTokenizer(WordPieceTokenizer):
    """A `WordPieceTokenizer` with BERT's `[CLS]`, `[SEP]`, `[PAD]` and `[MASK]` tokens.

    The special tokens must be in the vocabulary; their ids are
    `cls_token_id`, `sep_token_id`, `pad_token_id` and `mask_token_id`.
    Special tokens written in the input text (e.g. `"[SEP]"`) are kept whole.

    Args:
        vocabulary: a list of tokens or the path of a `vocab.txt`.
        lowercase: lower-case (and strip accents of) the text, as uncased
            BERT checkpoints expect.
        **kwargs: other `WordPieceTokenizer` arguments.

    Example:

    ```python
    tokenizer = BertTokenizer.from_preset("path/to/all-MiniLM-L6-v2")
    tokenizer("The quick brown fox.")
    ```
    """

    def __init__(self, vocabulary=None, lowercase=False, **kwargs):
        kwargs.setdefault("strip_accents", lowercase)
        kwargs.setdefault("special_tokens_in_strings", True)
        super().__init__(vocabulary=vocabulary, lowercase=lowercase, **kwargs)
        self._add_special_token("[CLS]", "cls_token")
        self._add_special_token("[SEP]", "sep_token")
        self._add_special_token("[PAD]", "pad_token")
        self._add_special_token("[MASK]", "mask_token")
        if vocabulary is not None:
            self._update_special_token_ids()

    @classmethod
    def from_preset(cls, preset, **kwargs):
        """Builds the tokenizer from a kerasverse preset or a Hugging Face BERT directory."""
        return tokenizer_from_preset(cls, preset, **kwargs)
