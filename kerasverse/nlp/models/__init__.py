"""kerasverse.nlp.models: text model families in the keras_hub shape.

Each family is a folder of small files (`bert/`, `gpt2/`); importing it
registers its Hugging Face converter, so `from_preset` reads both
kerasverse presets and Hugging Face checkpoint directories.
"""

from kerasverse.nlp.models.bert import BertBackbone
from kerasverse.nlp.models.bert import BertMaskedLM
from kerasverse.nlp.models.bert import BertMaskedLMPreprocessor
from kerasverse.nlp.models.bert import BertSentenceEmbedder
from kerasverse.nlp.models.bert import BertTextClassifier
from kerasverse.nlp.models.bert import BertTextClassifierPreprocessor
from kerasverse.nlp.models.bert import BertTokenizer
from kerasverse.nlp.models.causal_lm import CausalLM
from kerasverse.nlp.models.gpt2 import GPT2Backbone
from kerasverse.nlp.models.gpt2 import GPT2CausalLM
from kerasverse.nlp.models.gpt2 import GPT2CausalLMPreprocessor
from kerasverse.nlp.models.gpt2 import GPT2Tokenizer

__all__ = [
    "BertBackbone",
    "BertMaskedLM",
    "BertMaskedLMPreprocessor",
    "BertSentenceEmbedder",
    "BertTextClassifier",
    "BertTextClassifierPreprocessor",
    "BertTokenizer",
    "CausalLM",
    "GPT2Backbone",
    "GPT2CausalLM",
    "GPT2CausalLMPreprocessor",
    "GPT2Tokenizer",
]
