"""Loading Hugging Face Transformers GPT-2 checkpoints (`model_type: "gpt2"`)."""

import json
import os

from kerasverse.models import HuggingFaceConverter
from kerasverse.models import register_converter
from kerasverse.nlp.models.gpt2.gpt2_backbone import GPT2Backbone

_PREFIXES = ("", "transformer.")


@register_converter
class GPT2Converter(HuggingFaceConverter):
    """Maps a HF `GPT2Model`/`GPT2LMHeadModel` checkpoint onto `GPT2Backbone`."""

    model_type = "gpt2"
    backbone_cls = GPT2Backbone

    def backbone_kwargs(self, hf_config):
        activation = hf_config.get("activation_function", "gelu_new")
        if activation not in ("gelu_new", "gelu_pytorch_tanh"):
            raise ValueError(
                "Only GPT-2 checkpoints with activation_function='gelu_new' are supported. "
                f"Received: activation_function={activation!r}"
            )
        hidden_dim = hf_config["n_embd"]
        return {
            "vocabulary_size": hf_config["vocab_size"],
            "num_layers": hf_config["n_layer"],
            "num_heads": hf_config["n_head"],
            "hidden_dim": hidden_dim,
            "intermediate_dim": hf_config.get("n_inner") or 4 * hidden_dim,
            "dropout": hf_config.get("resid_pdrop", 0.1),
            "max_sequence_length": hf_config["n_positions"],
            "layer_norm_epsilon": hf_config.get("layer_norm_epsilon", 1e-5),
        }

    def load_backbone_weights(self, backbone, checkpoint):
        hidden_dim, num_heads = backbone.hidden_dim, backbone.num_heads
        head_dim = hidden_dim // num_heads

        def assign(variable, name, transform=None):
            checkpoint.assign(variable, name, transform, prefixes=_PREFIXES)

        def part(i, reshape):  # Slice i of the fused q/k/v Conv1D (in, 3 * hidden).
            return lambda w: reshape(w[..., i * hidden_dim : (i + 1) * hidden_dim])

        assign(backbone.token_embedding.embeddings, "wte.weight")
        assign(backbone.position_embedding.position_embeddings, "wpe.weight")
        for i, layer in enumerate(backbone.transformer_layers):
            p = f"h.{i}."
            attention = layer._self_attention_layer
            for j, dense in enumerate((attention._query_dense, attention._key_dense, attention._value_dense)):
                assign(dense.kernel, f"{p}attn.c_attn.weight", part(j, lambda w: w.reshape(hidden_dim, num_heads, head_dim)))
                assign(dense.bias, f"{p}attn.c_attn.bias", part(j, lambda b: b.reshape(num_heads, head_dim)))
            assign(attention._output_dense.kernel, f"{p}attn.c_proj.weight", lambda w: w.reshape(num_heads, head_dim, hidden_dim))
            assign(attention._output_dense.bias, f"{p}attn.c_proj.bias")
            assign(layer._self_attention_layer_norm.gamma, f"{p}ln_1.weight")
            assign(layer._self_attention_layer_norm.beta, f"{p}ln_1.bias")
            assign(layer._feedforward_layer_norm.gamma, f"{p}ln_2.weight")
            assign(layer._feedforward_layer_norm.beta, f"{p}ln_2.bias")
            assign(layer._feedforward_intermediate_dense.kernel, f"{p}mlp.c_fc.weight")
            assign(layer._feedforward_intermediate_dense.bias, f"{p}mlp.c_fc.bias")
            assign(layer._feedforward_output_dense.kernel, f"{p}mlp.c_proj.weight")
            assign(layer._feedforward_output_dense.bias, f"{p}mlp.c_proj.bias")
        assign(backbone.layer_norm.gamma, "ln_f.weight")
        assign(backbone.layer_norm.beta, "ln_f.bias")

    def tokenizer_kwargs(self, preset):
        vocab_path = os.path.join(preset, "vocab.json")
        merges_path = os.path.join(preset, "merges.txt")
        if os.path.exists(vocab_path) and os.path.exists(merges_path):
            return {"vocabulary": vocab_path, "merges": merges_path}
        tokenizer_path = os.path.join(preset, "tokenizer.json")
        if os.path.exists(tokenizer_path):
            with open(tokenizer_path, encoding="utf-8") as file:
                model = json.load(file).get("model", {})
            if model.get("type") == "BPE":
                merges = [m if isinstance(m, str) else " ".join(m) for m in model["merges"]]
                return {"vocabulary": model["vocab"], "merges": merges}
        raise ValueError(
            f"The Hugging Face GPT-2 checkpoint {preset!r} has no tokenizer (`vocab.json` + `merges.txt`, or a "
            f"BPE `tokenizer.json`). Files present: {sorted(os.listdir(preset))}."
        )
