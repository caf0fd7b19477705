"""`Tokenizer`: the base class of the kerasverse text tokenizers."""

import keras

_INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


@keras.saving.register_keras_serializable(package="kerasverse")
class Tokenizer(keras.layers.Layer):
    """Base class of the tokenizers: text in, token ids out, on the host.

    A tokenizer is a `keras.layers.Layer` (so it serializes with
    `get_config` and travels inside presets and `.keras` files through
    `save_assets`/`load_assets`), but it runs on the host with numpy and
    Python, never on the accelerator: calling it on strings skips Keras'
    tensor call machinery, which has no string tensors on JAX or PyTorch.
    Use it in a data pipeline (a Python generator, `keras.utils.PyDataset`,
    a `grain` or `torch.utils.data` loader) before the model.

    Subclasses implement `tokenize()` and usually `detokenize()`,
    `get_vocabulary()`, `vocabulary_size()`, `id_to_token()` and
    `token_to_id()`. `__call__` is `tokenize`.

    Args:
        dtype: the output dtype: an integer dtype for ids (default
            `"int32"`), or `"string"` for token strings.

    Example:

    ```python
    class WhitespaceTokenizer(kerasverse.nlp.tokenizers.Tokenizer):
        def tokenize(self, inputs):
            return [text.split() for text in inputs]

    WhitespaceTokenizer()(["a b", "c"])  # [["a", "b"], ["c"]]
    ```
    """

    def __init__(self, dtype="int32", **kwargs):
        if dtype is None:
            dtype = "int32"
        if isinstance(dtype, dict):  # A serialized DTypePolicy.
            dtype = dtype.get("config", {}).get("name", "int32")
        dtype = str(getattr(dtype, "name", dtype))
        if dtype not in _INT_DTYPES and dtype != "string":
            raise ValueError(
                "`dtype` of a tokenizer must be an integer dtype or 'string'. "
                f"Received: dtype={dtype!r}"
            )
        super().__init__(**kwargs)
        self._output_dtype = dtype
        self.file_assets = None

    @property
    def output_dtype(self):
        """The dtype of `tokenize` outputs: an integer dtype or `"string"`."""
        return self._output_dtype

    def __call__(self, inputs, *args, **kwargs):
        return self.tokenize(inputs, *args, **kwargs)

    def call(self, inputs, *args, **kwargs):
        return self.tokenize(inputs, *args, **kwargs)

    def tokenize(self, inputs, *args, **kwargs):
        """Turns strings into token ids (or token strings)."""
        raise NotImplementedError(
            f"{type(self).__name__} has no `tokenize()`; every tokenizer must implement it."
        )

    def detokenize(self, inputs, *args, **kwargs):
        """Turns token ids back into strings."""
        raise NotImplementedError(f"{type(self).__name__} has no `detokenize()`.")

    def get_vocabulary(self):
        """The vocabulary as a list of token strings, in id order."""
        raise NotImplementedError(f"{type(self).__name__} has no `get_vocabulary()`.")

    def vocabulary_size(self):
        """The number of token ids."""
        raise NotImplementedError(f"{type(self).__name__} has no `vocabulary_size()`.")

    def id_to_token(self, id):
        """The token string of an integer id."""
        raise NotImplementedError(f"{type(self).__name__} has no `id_to_token()`.")

    def token_to_id(self, token):
        """The integer id of a token string."""
        raise NotImplementedError(f"{type(self).__name__} has no `token_to_id()`.")

    def _check_id(self, id):
        size = self.vocabulary_size()
        if isinstance(id, bool) or not hasattr(id, "__index__") or not 0 <= int(id) < size:
            raise ValueError(
                f"`id` must be an integer in [0, {size - 1}]. Received: id={id!r}"
            )
        return int(id)

    # ------------------------------------------------------ special tokens
    @property
    def special_tokens(self):
        """The built-in special tokens (e.g. `"[CLS]"`) a subclass declared."""
        attrs = getattr(self, "_special_token_attrs", [])
        return list(dict.fromkeys(getattr(self, a) for a in attrs))

    @property
    def special_token_ids(self):
        """The ids of `special_tokens`."""
        attrs = getattr(self, "_special_token_attrs", [])
        ids = [getattr(self, f"{a}_id") for a in attrs]
        if None in ids:
            raise ValueError(
                "Cannot read `special_token_ids` before a vocabulary has been "
                "set on the tokenizer. Pass `vocabulary` (or load assets) first."
            )
        return list(dict.fromkeys(ids))

    def _add_special_token(self, token, name):
        """Declares `self.<name> = token` and `self.<name>_id` (None until a vocabulary)."""
        if not hasattr(self, "_special_token_attrs"):
            self._special_token_attrs = []
        if name not in self._special_token_attrs:
            self._special_token_attrs.append(name)
        setattr(self, name, token)
        try:
            token_id = self.token_to_id(token)
        except (ValueError, AttributeError, NotImplementedError):
            token_id = None
        setattr(self, f"{name}_id", token_id)

    def _update_special_token_ids(self):
        attrs = getattr(self, "_special_token_attrs", [])
        for attr in attrs:
            token = getattr(self, attr)
            try:
                token_id = self.token_to_id(token)
            except ValueError:
                raise ValueError(
                    f"Cannot find special token {token!r} in the vocabulary of "
                    f"{type(self).__name__}. Add {token!r} to the vocabulary."
                ) from None
            setattr(self, f"{attr}_id", token_id)

    # -------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config["dtype"] = self._output_dtype
        return config

    def save_assets(self, dir_path):
        """Writes the vocabulary files into `dir_path` (presets, `.keras`)."""

    def load_assets(self, dir_path):
        """Reads the vocabulary files written by `save_assets`."""
