"""The BERT family: backbone, tokenizer, preprocessors and tasks (keras_hub layout)."""

from kerasverse.nlp.models.bert import bert_hugging_face  # noqa: F401  (registers the HF converter)
from kerasverse.nlp.models.bert.bert_backbone import BertBackbone
from kerasverse.nlp.models.bert.bert_masked_lm import BertMaskedLM
from kerasverse.nlp.models.bert.bert_masked_lm_preprocessor import (
    BertMaskedLMPreprocessor,
)
from kerasverse.nlp.models.bert.bert_sentence_embedder import BertSentenceEmbedder
from kerasverse.nlp.models.bert.bert_text_classifier import BertTextClassifier
from kerasverse.nlp.models.bert.bert_text_classifier_preprocessor import (
    BertTextClassifierPreprocessor,
)
from kerasverse.nlp.models.bert.bert_tokenizer import BertTokenizer

__all__ = [
    "BertBackbone",
    "BertMaskedLM",
    "BertMaskedLMPreprocessor",
    "BertSentenceEmbedder",
    "BertTextClassifier",
    "BertTextClassifierPreprocessor",
    "BertTokenizer",
]
