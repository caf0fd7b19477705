"""kerasverse.nlp: the KerasHub text stack for Keras 3, without TensorFlow.

Subpackages (imported on first use, so `import kerasverse.nlp` stays cheap):

- `tokenizers`: WordPiece, byte-pair, SentencePiece, byte and code-point
  tokenizers (host-side, numpy).
- `layers`: transformer blocks, embeddings and heads (`keras.ops`), and
  the preprocessing packers.
- `samplers`: greedy, top-k, top-p, random, beam and contrastive decoding.
- `metrics`: perplexity, ROUGE, BLEU, edit distance.
- `models`: the BERT and GPT-2 families (`Backbone`, `Preprocessor`,
  `Task`, presets from local directories and Hugging Face checkpoints).

Example:

```python
from kerasverse.nlp.models import BertSentenceEmbedder

embedder = BertSentenceEmbedder.from_preset("path/to/all-MiniLM-L6-v2")
embeddings = embedder.predict(["A man is eating food."])
```
"""

import importlib

SUBPACKAGES = ("tokenizers", "layers", "samplers", "metrics", "models")

__all__ = list(SUBPACKAGES)


def __getattr__(name):
    if name in SUBPACKAGES:
        module = importlib.import_module(f"kerasverse.nlp.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'kerasverse.nlp' has no attribute '{name}'. Available: {', '.join(SUBPACKAGES)}.")


def __dir__():
    return sorted(set(globals()) | set(SUBPACKAGES))
