"""kerasverse.nlp.tokenizers: keras_hub's tokenizers, host-side, without TensorFlow.

Backed by Hugging Face `tokenizers` (Rust), `sentencepiece` and numpy. Each
tokenizer takes a string or a batch of strings and gives numpy arrays (one
string, or a batch with `sequence_length`) or Python lists (ragged batch).

Example:

```python
from kerasverse.nlp.tokenizers import WordPieceTokenizer

vocab = ["[UNK]", "the", "qu", "##ick", "br", "##own", "fox", "."]
tokenizer = WordPieceTokenizer(vocabulary=vocab, lowercase=True)
tokenizer("The quick brown fox.")  # array([1, 2, 3, 4, 5, 6, 7], dtype=int32)
```
"""

from kerasverse.nlp.tokenizers.byte_pair_tokenizer import BytePairTokenizer
from kerasverse.nlp.tokenizers.byte_tokenizer import ByteTokenizer
from kerasverse.nlp.tokenizers.sentence_piece_tokenizer import SentencePieceTokenizer
from kerasverse.nlp.tokenizers.sentence_piece_tokenizer_trainer import (
    compute_sentence_piece_proto,
)
from kerasverse.nlp.tokenizers.tokenizer import Tokenizer
from kerasverse.nlp.tokenizers.unicode_codepoint_tokenizer import (
    UnicodeCodepointTokenizer,
)
from kerasverse.nlp.tokenizers.word_piece_tokenizer import WordPieceTokenizer
from kerasverse.nlp.tokenizers.word_piece_tokenizer_trainer import (
    compute_word_piece_vocabulary,
)

__all__ = [
    "BytePairTokenizer",
    "ByteTokenizer",
    "SentencePieceTokenizer",
    "Tokenizer",
    "UnicodeCodepointTokenizer",
    "WordPieceTokenizer",
    "compute_sentence_piece_proto",
    "compute_word_piece_vocabulary",
]
