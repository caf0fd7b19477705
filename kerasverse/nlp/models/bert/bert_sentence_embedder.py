"""`BertSentenceEmbedder`: mean-pooled BERT sentence embeddings (sentence-transformers style)."""

import keras
from keras import ops

from kerasverse.models import Task
from kerasverse.nlp.models.bert.bert_backbone import BertBackbone
from kerasverse.nlp.models.bert.bert_text_classifier_preprocessor import (
    BertTextClassifierPreprocessor,
)


@keras.saving.register_keras_serializable(package="kerasverse")
class MaskedMeanPooling(keras.layers.Layer):
    """Mean of `sequence` over the positions where `padding_mask` is 1."""

    def call(self, sequence, padding_mask):
        mask = ops.cast(ops.expand_dims(padding_mask, -1), sequence.dtype)
        total = ops.sum(sequence * mask, axis=1)
        count = ops.maximum(ops.sum(mask, axis=1), 1e-9)
        return total / count

    def compute_output_shape(self, sequence_shape, padding_mask_shape):
        return (sequence_shape[0], sequence_shape[-1])


@keras.saving.register_keras_serializable(package="kerasverse")
class BertSentenceEmbedder(Task):
    """Sentence embeddings: the mean of BERT's token states over real tokens.

    This is the pooling of sentence-transformers models such as
    all-MiniLM-L6-v2 (`1_Pooling/config.json` with `pooling_mode_mean_tokens`).
    With `normalize=True` the embeddings are L2-normalized (cosine
    similarity becomes a dot product).

    Args:
        backbone: a `BertBackbone`.
        preprocessor: a `BertTextClassifierPreprocessor` or None.
        normalize: L2-normalize the embeddings.
        **kwargs: `keras.Model` arguments.

    Example:

    ```python
    embedder = BertSentenceEmbedder.from_preset("path/to/all-MiniLM-L6-v2")
    embeddings = embedder.predict(["A man is eating food.", "A man eats."])  # (2, 384)
    ```
    """

    backbone_cls = BertBackbone
    preprocessor_cls = BertTextClassifierPreprocessor

    def __init__(self, backbone, preprocessor=None, normalize=False, **kwargs):
        self.backbone = backbone
        self.preprocessor = preprocessor
        self.pooling = MaskedMeanPooling(name="mean_pooling")
        inputs = backbone.input
        sequence = backbone(inputs)["sequence_output"]
        outputs = self.pooling(sequence, inputs["padding_mask"])
        if normalize:
            outputs = keras.layers.UnitNormalization(name="l2_normalize")(outputs)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.normalize = normalize

    def get_config(self):
        return {**super().get_config(), "normalize": self.normalize}
