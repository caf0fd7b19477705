"""Which Keras 3 layers the TF.js Layers format can carry, and how.

`SUPPORTED_LAYERS` maps a Keras class name to a `LayerSpec`: the config keys
tfjs-layers reads, the Keras settings tfjs-layers has no equivalent for (the
export refuses a layer that changes them), and Keras variable names that tfjs
spells differently. The set is what tfjs-layers 4.x registers and Keras 3 also
has.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class LayerSpec:
    """How one Keras layer class maps to its tfjs-layers twin.

    Args:
        keep: config keys passed through to tfjs (besides `name`,
            `trainable` and `dtype`, which every layer keeps).
        require: `{key: value}` settings tfjs only supports at that value;
            a Keras layer with another value cannot be exported.
        refuse: `{key: value}` settings tfjs-layers does not implement.
        weight_names: `{keras_variable_name: tfjs_weight_name}` where they
            differ.
        renames: `{keras_config_key: tfjs_config_key}` where they differ.
        hint: how to make an unsupported setting exportable.
        companion: the layer always needs `kerasverse-layers.js` (tfjs-layers
            has no such class).
        companion_when: `{key: value}` settings that need
            `kerasverse-layers.js` (tfjs-layers' class lacks them).
        tfjs_class: the class name in `model.json` where it differs from
            Keras' (`Identity` is taken by tfjs' initializer).
        path_weights: the weights are named by their Keras path inside the
            layer (`encoder/self_attention/query/kernel`, `mha/query/kernel`),
            as `kerasverse-layers.js` creates them.
        skip_weights: Keras variable names the TF.js layer does not use.
    """

    keep: tuple = ()
    renames: dict = dataclasses.field(default_factory=dict)
    require: dict = dataclasses.field(default_factory=dict)
    refuse: dict = dataclasses.field(default_factory=dict)
    weight_names: dict = dataclasses.field(default_factory=dict)
    hint: str = ""
    companion: bool = False
    companion_when: dict = dataclasses.field(default_factory=dict)
    tfjs_class: str = None
    path_weights: bool = False
    skip_weights: tuple = ()


def _regularized(*prefixes):
    keys = []
    for prefix in prefixes:
        keys += [f"{prefix}_initializer", f"{prefix}_regularizer", f"{prefix}_constraint"]
    return tuple(keys)


_CHANNELS_LAST = {"data_format": "channels_last"}
_CONV = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias", "activity_regularizer")
_POOL = ("pool_size", "strides", "padding", "data_format")
_GLOBAL_POOL = LayerSpec(keep=("data_format",), require={"keepdims": False})
_RNN = ("units", "activation", "use_bias", "dropout", "recurrent_dropout", "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "activity_regularizer") + _regularized("kernel", "recurrent", "bias")
_NOTHING = LayerSpec()

SUPPORTED_LAYERS = {
    "InputLayer": LayerSpec(keep=("sparse",), require={"sparse": False, "ragged": False, "optional": False}),
    # Core.
    "Dense": LayerSpec(keep=("units", "activation", "use_bias", "activity_regularizer") + _regularized("kernel", "bias"), require={"lora_rank": None, "quantization_config": None}),
    "Activation": LayerSpec(keep=("activation",)),
    "Embedding": LayerSpec(keep=("input_dim", "output_dim", "mask_zero", "activity_regularizer") + _regularized("embeddings"), require={"lora_rank": None, "quantization_config": None}),
    "Masking": LayerSpec(keep=("mask_value",)),
    # Regularization (inference identity; tfjs applies them in training).
    "Dropout": LayerSpec(keep=("rate", "noise_shape", "seed")),
    "SpatialDropout1D": LayerSpec(keep=("rate", "seed")),
    "GaussianNoise": LayerSpec(keep=("stddev", "seed")),
    "GaussianDropout": LayerSpec(keep=("rate",)),
    "AlphaDropout": LayerSpec(keep=("rate", "noise_shape")),
    # Reshaping.
    "Flatten": LayerSpec(keep=("data_format",)),
    "Reshape": LayerSpec(keep=("target_shape",)),
    "Permute": LayerSpec(keep=("dims",)),
    "RepeatVector": LayerSpec(keep=("n",)),
    "ZeroPadding2D": LayerSpec(keep=("padding", "data_format")),
    "Cropping2D": LayerSpec(keep=("cropping", "data_format")),
    "UpSampling2D": LayerSpec(
        keep=("size", "data_format", "interpolation"),
        require={"interpolation": "nearest"},
        hint="tfjs-layers resizes bilinearly without half-pixel centers, so its values differ from Keras'",
    ),
    # Convolutions.
    "Conv1D": LayerSpec(
        keep=_CONV + _regularized("kernel", "bias"),
        require={"groups": 1, "lora_rank": None},
        refuse={"padding": "causal"},
        hint="tfjs-layers' Conv1D has no causal padding; pad with ZeroPadding and use padding='valid'",
    ),
    "Conv2D": LayerSpec(keep=_CONV + _regularized("kernel", "bias"), require={"groups": 1, "lora_rank": None}),
    "Conv3D": LayerSpec(keep=_CONV + _regularized("kernel", "bias"), require={"groups": 1, "lora_rank": None}),
    "Conv2DTranspose": LayerSpec(
        keep=_CONV + _regularized("kernel", "bias"),
        require={"output_padding": None, "dilation_rate": [1, 1], **_CHANNELS_LAST},
        hint="tfjs-layers' Conv2DTranspose has no output_padding, dilation or channels_first",
    ),
    "Conv3DTranspose": LayerSpec(
        keep=_CONV + _regularized("kernel", "bias"),
        require={"output_padding": None, "dilation_rate": [1, 1, 1], **_CHANNELS_LAST},
        hint="tfjs-layers' Conv3DTranspose has no output_padding, dilation or channels_first",
    ),
    "DepthwiseConv2D": LayerSpec(
        keep=("kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias", "depth_multiplier", "activity_regularizer") + _regularized("depthwise", "bias"),
        weight_names={"kernel": "depthwise_kernel"},
    ),
    "SeparableConv2D": LayerSpec(keep=_CONV + ("depth_multiplier",) + _regularized("depthwise", "pointwise", "bias")),
    # Pooling.
    "MaxPooling1D": LayerSpec(keep=_POOL),
    "MaxPooling2D": LayerSpec(keep=_POOL),
    "MaxPooling3D": LayerSpec(keep=_POOL),
    "AveragePooling1D": LayerSpec(keep=_POOL),
    "AveragePooling2D": LayerSpec(keep=_POOL),
    "AveragePooling3D": LayerSpec(keep=_POOL),
    "GlobalMaxPooling1D": _GLOBAL_POOL,
    "GlobalMaxPooling2D": _GLOBAL_POOL,
    "GlobalAveragePooling1D": _GLOBAL_POOL,
    "GlobalAveragePooling2D": _GLOBAL_POOL,
    # Normalization.
    "BatchNormalization": LayerSpec(
        keep=("axis", "momentum", "epsilon", "center", "scale") + _regularized("beta", "gamma") + ("moving_mean_initializer", "moving_variance_initializer"),
        require={"renorm": False, "synchronized": False},
    ),
    "LayerNormalization": LayerSpec(
        keep=("axis", "epsilon", "center", "scale", "rms_scaling") + _regularized("beta", "gamma"),
        companion_when={"rms_scaling": True},
    ),
    "UnitNormalization": LayerSpec(keep=("axis",), companion=True),
    "RMSNormalization": LayerSpec(keep=("axis", "epsilon"), companion=True),
    # Small layers kerasverse-layers.js adds (channels_last only, as tfjs).
    "Subtract": LayerSpec(companion=True),
    "ActivityRegularization": LayerSpec(keep=("l1", "l2"), companion=True),
    "SpatialDropout2D": LayerSpec(keep=("rate", "seed", "data_format"), require=_CHANNELS_LAST, companion=True),
    "SpatialDropout3D": LayerSpec(keep=("rate", "seed", "data_format"), require=_CHANNELS_LAST, companion=True),
    "GlobalAveragePooling3D": LayerSpec(keep=("data_format",), require={"keepdims": False, **_CHANNELS_LAST}, companion=True),
    "GlobalMaxPooling3D": LayerSpec(keep=("data_format",), require={"keepdims": False, **_CHANNELS_LAST}, companion=True),
    "ZeroPadding1D": LayerSpec(keep=("padding", "data_format"), require=_CHANNELS_LAST, companion=True),
    "Cropping1D": LayerSpec(keep=("cropping",), companion=True),
    "UpSampling1D": LayerSpec(keep=("size",), companion=True),
    "Identity": LayerSpec(companion=True, tfjs_class="IdentityLayer"),
    "ZeroPadding3D": LayerSpec(keep=("padding", "data_format"), require=_CHANNELS_LAST, companion=True),
    "Cropping3D": LayerSpec(keep=("cropping", "data_format"), require=_CHANNELS_LAST, companion=True),
    "UpSampling3D": LayerSpec(keep=("size", "data_format"), require=_CHANNELS_LAST, companion=True),
    **{
        f"Adaptive{kind}Pooling{rank}D": LayerSpec(keep=("output_size", "data_format"), require=_CHANNELS_LAST, companion=True)
        for kind in ("Average", "Max")
        for rank in (1, 2, 3)
    },
    "Conv1DTranspose": LayerSpec(
        keep=("filters", "kernel_size", "strides", "padding", "activation", "use_bias"),
        require={"output_padding": None, "dilation_rate": [1], **_CHANNELS_LAST},
        companion=True,
        hint="kerasverse-layers.js' Conv1DTranspose has no output_padding, dilation or channels_first",
    ),
    "DepthwiseConv1D": LayerSpec(
        keep=("kernel_size", "strides", "padding", "dilation_rate", "depth_multiplier", "activation", "use_bias"),
        require=_CHANNELS_LAST,
        refuse={"padding": "causal"},
        companion=True,
    ),
    "SeparableConv1D": LayerSpec(
        keep=("filters", "kernel_size", "strides", "padding", "dilation_rate", "depth_multiplier", "activation", "use_bias"),
        require=_CHANNELS_LAST,
        refuse={"padding": "causal"},
        companion=True,
    ),
    "EinsumDense": LayerSpec(
        keep=("equation", "output_shape", "bias_axes", "activation"),
        require={"lora_rank": None, "quantization_config": None},
        companion=True,
    ),
    "GroupNormalization": LayerSpec(keep=("groups", "axis", "epsilon", "center", "scale"), require={"axis": -1}, companion=True),
    "Normalization": LayerSpec(keep=("axis", "invert", "mean", "variance"), companion=True, skip_weights=("count",)),
    "ReversibleEmbedding": LayerSpec(
        keep=("input_dim", "output_dim", "mask_zero", "tie_weights", "logit_soft_cap"),
        require={"tie_weights": True, "quantization_config": None},
        companion=True,
        hint="the TF.js layer runs the forward (embedding) direction with the tied weights",
    ),
    "CenterCrop": LayerSpec(keep=("height", "width", "data_format"), require=_CHANNELS_LAST, companion=True),
    "CategoryEncoding": LayerSpec(keep=("num_tokens", "output_mode"), require={"sparse": False}, companion=True),
    # Attention (inputs of shape (batch, length, features); how each was called goes into its config).
    "MultiHeadAttention": LayerSpec(
        keep=("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape", "attention_axes", "sliding_window"),
        require={"use_gate": False},
        companion=True,
        path_weights=True,
        hint="kerasverse-layers.js has no gated attention",
    ),
    "Attention": LayerSpec(keep=("use_scale", "score_mode", "dropout"), companion=True),
    "AdditiveAttention": LayerSpec(keep=("use_scale", "dropout"), companion=True),
    # Recurrent.
    "SimpleRNN": LayerSpec(keep=_RNN),
    "LSTM": LayerSpec(keep=_RNN + ("recurrent_activation", "unit_forget_bias")),
    "GRU": LayerSpec(keep=_RNN + ("recurrent_activation", "reset_after"), companion_when={"reset_after": True}),
    # Wrappers (their inner layer is converted by the same rules).
    "Bidirectional": LayerSpec(keep=("layer", "merge_mode")),
    "TimeDistributed": LayerSpec(keep=("layer",)),
    # Merging.
    "Add": _NOTHING,
    "Multiply": _NOTHING,
    "Average": _NOTHING,
    "Maximum": _NOTHING,
    "Minimum": _NOTHING,
    "Concatenate": LayerSpec(keep=("axis",)),
    "Dot": LayerSpec(keep=("axes", "normalize")),
    # Activation layers.
    "ReLU": LayerSpec(keep=("max_value",), require={"negative_slope": 0.0, "threshold": 0.0}),
    "LeakyReLU": LayerSpec(keep=("negative_slope",), renames={"negative_slope": "alpha"}),
    "PReLU": LayerSpec(keep=("alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes")),
    "ELU": LayerSpec(keep=("alpha",), require={"alpha": 1.0}),
    "Softmax": LayerSpec(keep=("axis",)),
    # Preprocessing.
    "Rescaling": LayerSpec(keep=("scale", "offset")),

    # Models used as layers.
    "Sequential": _NOTHING,
    "Functional": _NOTHING,
}

_TRANSFORMER = ("intermediate_dim", "num_heads", "dropout", "activation", "layer_norm_epsilon", "normalize_first")
# kerasverse.nlp layers (by registered name) that kerasverse-layers.js implements.
CUSTOM_LAYERS = {
    "kerasverse>PositionEmbedding": LayerSpec(
        keep=("sequence_length",), companion=True, tfjs_class="PositionEmbedding", path_weights=True
    ),
    "kerasverse>TokenAndPositionEmbedding": LayerSpec(
        keep=("vocabulary_size", "sequence_length", "embedding_dim", "tie_weights", "mask_zero"),
        companion=True,
        tfjs_class="TokenAndPositionEmbedding",
        path_weights=True,
        require={"tie_weights": True},
        hint="the TF.js layer holds the tied embedding only",
    ),
    "kerasverse>TransformerEncoder": LayerSpec(
        keep=_TRANSFORMER, companion=True, tfjs_class="TransformerEncoder", path_weights=True
    ),
    "kerasverse>TransformerDecoder": LayerSpec(
        keep=_TRANSFORMER, companion=True, tfjs_class="TransformerDecoder", path_weights=True
    ),
    # kerasverse.automl's n-gram text layer (TextBlock(block_type="ngram")).
    "kerasverse.automl>NgramEmbedding": LayerSpec(
        keep=("vocabulary_size", "num_buckets", "embedding_dim"),
        companion=True,
        tfjs_class="NgramEmbedding",
        path_weights=True,
    ),
}
# Activations kerasverse-layers.js implements for the nlp layers (names as Keras writes them).
COMPANION_ACTIVATIONS = ("linear", "relu", "gelu", "gelu_approximate", "tanh", "sigmoid", "silu", "swish")
COMPANION_FILE = "kerasverse-layers.js"

# Layers tfjs-layers registers but cannot run correctly (tfjs 4.22): why.
BROKEN_IN_TFJS = {
    "Resizing": "tfjs-layers 4.22's Resizing computes its output shape without the batch axis and fails on batched "
    "input ('x must be rank 3 or 4, but got rank 1'); resize the images before the model",
}

# Activation names Keras 3 writes -> the name tfjs-layers registers.
ACTIVATIONS = {
    "linear": "linear",
    "relu": "relu",
    "relu6": "relu6",
    "elu": "elu",
    "selu": "selu",
    "sigmoid": "sigmoid",
    "hard_sigmoid": "hard_sigmoid",
    "tanh": "tanh",
    "softmax": "softmax",
    "log_softmax": "log_softmax",
    "softplus": "softplus",
    "softsign": "softsign",
    "silu": "swish",
    "swish": "swish",
    "mish": "mish",
    "gelu": "gelu",
}

# Keras 3 initializers tfjs-layers knows: Keras name -> (tfjs name, config keys).
INITIALIZERS = {
    "Zeros": ("Zeros", ()),
    "Ones": ("Ones", ()),
    "Constant": ("Constant", ("value",)),
    "RandomNormal": ("RandomNormal", ("mean", "stddev", "seed")),
    "RandomUniform": ("RandomUniform", ("minval", "maxval", "seed")),
    "TruncatedNormal": ("TruncatedNormal", ("mean", "stddev", "seed")),
    "VarianceScaling": ("VarianceScaling", ("scale", "mode", "distribution", "seed")),
    "GlorotNormal": ("GlorotNormal", ("seed",)),
    "GlorotUniform": ("GlorotUniform", ("seed",)),
    "HeNormal": ("HeNormal", ("seed",)),
    "HeUniform": ("HeUniform", ("seed",)),
    "LecunNormal": ("LeCunNormal", ("seed",)),
    "LecunUniform": ("LeCunUniform", ("seed",)),
    "Orthogonal": ("Orthogonal", ("gain", "seed")),
    "Identity": ("Identity", ("gain",)),
}
# Keras 3 constraints tfjs-layers knows: Keras name -> config keys.
CONSTRAINTS = {
    "MaxNorm": ("max_value", "axis"),
    "MinMaxNorm": ("min_value", "max_value", "rate", "axis"),
    "NonNeg": (),
    "UnitNorm": ("axis",),
}


def supported_layer_names():
    """The Keras class names `save_model` can export, sorted (kerasverse.nlp ones by registered name)."""
    return sorted(SUPPORTED_LAYERS) + sorted(CUSTOM_LAYERS)
