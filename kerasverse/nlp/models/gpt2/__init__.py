"""The GPT-2 family: backbone, tokenizer, preprocessor and causal LM (keras_hub layout)."""

from kerasverse.nlp.models.gpt2 import gpt2_hugging_face  # noqa: F401  (registers the HF converter)
from kerasverse.nlp.models.gpt2.gpt2_backbone import GPT2Backbone
from kerasverse.nlp.models.gpt2.gpt2_causal_lm import GPT2CausalLM
from kerasverse.nlp.models.gpt2.gpt2_causal_lm_preprocessor import (
    GPT2CausalLMPreprocessor,
)
from kerasverse.nlp.models.gpt2.gpt2_tokenizer import GPT2Tokenizer

__all__ = ["GPT2Backbone", "GPT2CausalLM", "GPT2CausalLMPreprocessor", "GPT2Tokenizer"]
