"""`BertMaskedLM`: BERT with its masked-language-model head."""

import keras

from kerasverse.models import Task
from kerasverse.models import preset_io
from kerasverse.models.hugging_face import load_hugging_face_task_weights
from kerasverse.nlp.layers.modeling.masked_lm_head import MaskedLMHead
from kerasverse.nlp.models.bert.bert_backbone import BertBackbone
from kerasverse.nlp.models.bert.bert_backbone import bert_kernel_initializer
from kerasverse.nlp.models.bert.bert_masked_lm_preprocessor import (
    BertMaskedLMPreprocessor,
)


@keras.saving.register_keras_serializable(package="kerasverse")
class BertMaskedLM(Task):
    """Predicts masked tokens with a BERT backbone (pre-training or domain adaptation).

    Inputs: the backbone's dict plus `mask_positions`
    `(batch_size, num_predictions)`. Output: logits
    `(batch_size, num_predictions, vocabulary_size)` from a `MaskedLMHead`
    tied to the token embedding. With a `BertMaskedLMPreprocessor`, `fit`
    takes raw strings. `from_preset` on a Hugging Face `BertForMaskedLM`
    checkpoint also loads its MLM head (`cls.predictions`: transform
    dense, LayerNorm and output bias); a checkpoint without one (a plain
    `BertModel`) gives a randomly initialized head.

    Args:
        backbone: a `BertBackbone`.
        preprocessor: a `BertMaskedLMPreprocessor` or None.
        **kwargs: `keras.Model` arguments.

    Example:

    ```python
    masked_lm = BertMaskedLM(backbone, preprocessor=BertMaskedLMPreprocessor(tokenizer, sequence_length=64))
    masked_lm.fit(["some domain text", "more text"], epochs=1)
    ```
    """

    backbone_cls = BertBackbone
    preprocessor_cls = BertMaskedLMPreprocessor

    def __init__(self, backbone, preprocessor=None, **kwargs):
        self.backbone = backbone
        self.preprocessor = preprocessor
        self.masked_lm_head = MaskedLMHead(
            token_embedding=backbone.token_embedding,
            intermediate_activation="gelu",
            layer_norm_epsilon=1e-12,
            kernel_initializer=bert_kernel_initializer(),
            name="mlm_head",
        )
        inputs = {**backbone.input, "mask_positions": keras.Input(shape=(None,), dtype="int32", name="mask_positions")}
        sequence = backbone({k: v for k, v in inputs.items() if k != "mask_positions"})["sequence_output"]
        outputs = self.masked_lm_head(sequence, mask_positions=inputs["mask_positions"])
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.compile(
            optimizer=keras.optimizers.Adam(5e-5),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            weighted_metrics=[keras.metrics.SparseCategoricalAccuracy()],
        )

    @classmethod
    def from_preset(cls, preset, load_weights=True, **kwargs):
        """Builds the task from a preset; a HF `BertForMaskedLM` checkpoint brings its MLM head.

        Args:
            preset: a directory written by `save_to_preset`, or a Hugging Face
                BERT checkpoint directory.
            load_weights: load the weights (else random initialization).
            **kwargs: constructor arguments overriding the saved ones.
        """
        task = super().from_preset(preset, load_weights=load_weights, **kwargs)
        preset = preset_io.check_preset_dir(preset)
        if load_weights and preset_io.is_hugging_face_checkpoint(preset):
            load_hugging_face_task_weights(task, preset)
        return task
