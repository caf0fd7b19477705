"""kerasverse.nlp.metrics: text metrics as Keras metrics (keras_hub's API).

`Perplexity` runs model-side with `keras.ops` (usable in `compile`); the
string metrics (`RougeN`, `RougeL`, `Bleu`, `EditDistance`) run on the host.
"""

from kerasverse.nlp.metrics.bleu import Bleu
from kerasverse.nlp.metrics.edit_distance import EditDistance
from kerasverse.nlp.metrics.perplexity import Perplexity
from kerasverse.nlp.metrics.rouge_l import RougeL
from kerasverse.nlp.metrics.rouge_n import RougeN

__all__ = ["Bleu", "EditDistance", "Perplexity", "RougeL", "RougeN"]
