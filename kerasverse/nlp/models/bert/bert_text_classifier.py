"""`BertTextClassifier`: BERT with a classification head on the pooled output."""

import keras

from kerasverse.models import Task
from kerasverse.nlp.models.bert.bert_backbone import BertBackbone
from kerasverse.nlp.models.bert.bert_backbone import bert_kernel_initializer
from kerasverse.nlp.models.bert.bert_text_classifier_preprocessor import (
    BertTextClassifierPreprocessor,
)


@keras.saving.register_keras_serializable(package="kerasverse")
class BertTextClassifier(Task):
    """Classifies text with a BERT backbone: pooled output → dropout → dense.

    With a preprocessor, `fit`/`predict` take raw strings (or a tuple of
    lists for pairs). Compiled by default with Adam(5e-5), sparse
    categorical cross-entropy on logits and accuracy.

    Args:
        backbone: a `BertBackbone`.
        num_classes: number of classes.
        preprocessor: a `BertTextClassifierPreprocessor` or None (then feed
            the backbone's input dict).
        activation: activation of the outputs (`None`: logits).
        dropout: dropout before the head.
        **kwargs: `keras.Model` arguments.

    Example:

    ```python
    classifier = BertTextClassifier.from_preset("path/to/all-MiniLM-L6-v2", num_classes=2)
    classifier.fit(["great film", "awful film"], [1, 0], epochs=1)
    classifier.predict(["what a film"])
    ```
    """

    backbone_cls = BertBackbone
    preprocessor_cls = BertTextClassifierPreprocessor

    def __init__(self, backbone, num_classes, preprocessor=None, activation=None, dropout=0.1, **kwargs):
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"`num_classes` must be a positive integer. Received: num_classes={num_classes!r}")
        self.backbone = backbone
        self.preprocessor = preprocessor
        self.output_dropout = keras.layers.Dropout(dropout, name="output_dropout")
        self.output_dense = keras.layers.Dense(
            num_classes, kernel_initializer=bert_kernel_initializer(), activation=activation, name="logits"
        )
        inputs = backbone.input
        pooled = backbone(inputs)["pooled_output"]
        outputs = self.output_dense(self.output_dropout(pooled))
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.num_classes = num_classes
        self.activation = activation
        self.dropout = dropout
        self.compile(
            optimizer=keras.optimizers.Adam(5e-5),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=activation is None),
            metrics=[keras.metrics.SparseCategoricalAccuracy()],
        )

    def get_config(self):
        config = super().get_config()
        config.update({"num_classes": self.num_classes, "activation": self.activation, "dropout": self.dropout})
        return config
