"""Loading Hugging Face Transformers BERT checkpoints (`model_type: "bert"`)."""

import json
import os

import numpy as np

from kerasverse.models import HuggingFaceConverter
from kerasverse.models import register_converter
from kerasverse.nlp.models.bert.bert_backbone import BertBackbone

_PREFIXES = ("", "bert.")
_MLM_HEAD = "cls.predictions."


@register_converter
class BertConverter(HuggingFaceConverter):
    """Maps a HF `BertModel` checkpoint onto `BertBackbone`, and `vocab.txt` onto `BertTokenizer`."""

    model_type = "bert"
    backbone_cls = BertBackbone

    def backbone_kwargs(self, hf_config):
        if hf_config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(
                f"Only BERT checkpoints with hidden_act='gelu' are supported. Received: hidden_act={hf_config['hidden_act']!r}"
            )
        if hf_config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(
                "Only absolute position embeddings are supported. Received: "
                f"position_embedding_type={hf_config['position_embedding_type']!r}"
            )
        return {
            "vocabulary_size": hf_config["vocab_size"],
            "num_layers": hf_config["num_hidden_layers"],
            "num_heads": hf_config["num_attention_heads"],
            "hidden_dim": hf_config["hidden_size"],
            "intermediate_dim": hf_config["intermediate_size"],
            "dropout": hf_config.get("hidden_dropout_prob", 0.1),
            "max_sequence_length": hf_config["max_position_embeddings"],
            "num_segments": hf_config.get("type_vocab_size", 2),
        }

    def load_backbone_weights(self, backbone, checkpoint):
        hidden_dim, num_heads = backbone.hidden_dim, backbone.num_heads
        head_dim = hidden_dim // num_heads

        def assign(variable, name, transform=None):
            checkpoint.assign(variable, name, transform, prefixes=_PREFIXES)

        def dense_in(w):  # HF (out, in) -> Keras (in, heads, head_dim)
            return w.T.reshape(hidden_dim, num_heads, head_dim)

        def dense_out(w):  # HF (out, in) -> Keras (heads, head_dim, out)
            return w.T.reshape(num_heads, head_dim, hidden_dim)

        assign(backbone.token_embedding.embeddings, "embeddings.word_embeddings.weight")
        assign(backbone.position_embedding.position_embeddings, "embeddings.position_embeddings.weight")
        assign(backbone.segment_embedding.embeddings, "embeddings.token_type_embeddings.weight")
        assign(backbone.embeddings_layer_norm.gamma, "embeddings.LayerNorm.weight")
        assign(backbone.embeddings_layer_norm.beta, "embeddings.LayerNorm.bias")
        for i, layer in enumerate(backbone.transformer_layers):
            p = f"encoder.layer.{i}."
            attention = layer._self_attention_layer
            for keras_dense, hf_name in ((attention._query_dense, "query"), (attention._key_dense, "key"), (attention._value_dense, "value")):
                assign(keras_dense.kernel, f"{p}attention.self.{hf_name}.weight", dense_in)
                assign(keras_dense.bias, f"{p}attention.self.{hf_name}.bias", lambda b: b.reshape(num_heads, head_dim))
            assign(attention._output_dense.kernel, f"{p}attention.output.dense.weight", dense_out)
            assign(attention._output_dense.bias, f"{p}attention.output.dense.bias")
            assign(layer._self_attention_layer_norm.gamma, f"{p}attention.output.LayerNorm.weight")
            assign(layer._self_attention_layer_norm.beta, f"{p}attention.output.LayerNorm.bias")
            assign(layer._feedforward_intermediate_dense.kernel, f"{p}intermediate.dense.weight", lambda w: w.T)
            assign(layer._feedforward_intermediate_dense.bias, f"{p}intermediate.dense.bias")
            assign(layer._feedforward_output_dense.kernel, f"{p}output.dense.weight", lambda w: w.T)
            assign(layer._feedforward_output_dense.bias, f"{p}output.dense.bias")
            assign(layer._feedforward_layer_norm.gamma, f"{p}output.LayerNorm.weight")
            assign(layer._feedforward_layer_norm.beta, f"{p}output.LayerNorm.bias")
        try:
            assign(backbone.pooled_dense.kernel, "pooler.dense.weight", lambda w: w.T)
            assign(backbone.pooled_dense.bias, "pooler.dense.bias")
        except ValueError:
            pass  # Checkpoints saved without a pooler keep the random pooler.

    def load_task_weights(self, task, checkpoint):
        """Loads the masked-LM head of a `BertForMaskedLM` checkpoint into a `BertMaskedLM`.

        HF's `cls.predictions` is `transform.dense` → GELU →
        `transform.LayerNorm` → the tied word embeddings plus `bias`, the
        same computation as `MaskedLMHead`. Checkpoints without it (e.g.
        a `BertModel`) leave the head as initialized and return False.
        """
        head = getattr(task, "masked_lm_head", None)
        if head is None or not checkpoint.has(_MLM_HEAD + "transform.dense.weight"):
            return False
        decoder = _MLM_HEAD + "decoder.weight"
        if checkpoint.has(decoder):
            embeddings = task.backbone.token_embedding.embeddings
            if not np.array_equal(checkpoint.get(decoder), np.asarray(embeddings.numpy())):
                raise ValueError(
                    "The checkpoint's masked-LM decoder is not tied to the word embeddings "
                    f"(`{decoder}` differs from `embeddings.word_embeddings.weight`); BertMaskedLM "
                    "ties them. Received an untied checkpoint: re-save it with tie_word_embeddings=True."
                )
        checkpoint.assign(head._intermediate_dense.kernel, _MLM_HEAD + "transform.dense.weight", lambda w: w.T)
        checkpoint.assign(head._intermediate_dense.bias, _MLM_HEAD + "transform.dense.bias")
        checkpoint.assign(head._intermediate_layer_norm.gamma, _MLM_HEAD + "transform.LayerNorm.weight")
        checkpoint.assign(head._intermediate_layer_norm.beta, _MLM_HEAD + "transform.LayerNorm.bias")
        bias = _MLM_HEAD + "bias" if checkpoint.has(_MLM_HEAD + "bias") else _MLM_HEAD + "decoder.bias"
        checkpoint.assign(head.output_bias, bias)
        return True

    def tokenizer_kwargs(self, preset):
        vocab_path = os.path.join(preset, "vocab.txt")
        if not os.path.exists(vocab_path):
            raise ValueError(
                f"The Hugging Face BERT checkpoint {preset!r} has no `vocab.txt` (files present: "
                f"{sorted(os.listdir(preset))}). Add the tokenizer's vocab.txt to the directory."
            )
        lowercase = True
        strip_accents = None
        config_path = os.path.join(preset, "tokenizer_config.json")
        if os.path.exists(config_path):
            with open(config_path, encoding="utf-8") as file:
                config = json.load(file)
            lowercase = config.get("do_lower_case", True)
            strip_accents = config.get("strip_accents")
        return {
            "vocabulary": vocab_path,
            "lowercase": lowercase,
            "strip_accents": lowercase if strip_accents is None else strip_accents,
        }
