import keras
import numpy as np
import pytest
from keras import ops

from kerasverse.nlp.layers.modeling.masked_lm_head import MaskedLMHead
from kerasverse.nlp.layers.modeling.reversible_embedding import ReversibleEmbedding
from kerasverse.testing import TestCase


class MaskedLMHeadTest(TestCase):
    def _data(self):
        rng = np.random.default_rng(0)
        return [rng.standard_normal((2, 5, 4)).astype("float32"), np.array([[0, 3], [1, 4]], "int32")]

    def test_model_own_kernel(self):
        hidden = keras.Input((5, 4))
        positions = keras.Input((2,), dtype="int32")
        outputs = MaskedLMHead(vocabulary_size=9, intermediate_activation="gelu")(hidden, mask_positions=positions)
        model = keras.Model([hidden, positions], outputs)
        self.run_model_test(model, self._data(), expected_output_shape=(2, 2, 9))

    def test_model_tied_embedding(self):
        ids = keras.Input((5,), dtype="int32")
        positions = keras.Input((2,), dtype="int32")
        embedding = ReversibleEmbedding(9, 4)
        outputs = MaskedLMHead(token_embedding=embedding, activation="softmax")(embedding(ids), mask_positions=positions)
        model = keras.Model([ids, positions], outputs)
        data = [np.array([[1, 2, 3, 4, 5], [5, 6, 7, 8, 0]], "int32"), np.array([[0, 3], [1, 4]], "int32")]
        # The tied embedding is shared with the model: the config check would untie it.
        output = self.run_model_test(model, data, expected_output_shape=(2, 2, 9), run_config_check=False)
        self.assertAllClose(ops.convert_to_numpy(output).sum(-1), np.ones((2, 2)), atol=1e-5)

    def test_gathers_masked_positions(self):
        head = MaskedLMHead(vocabulary_size=9)
        hidden, positions = self._data()
        out = ops.convert_to_numpy(head(hidden, mask_positions=positions))
        again = ops.convert_to_numpy(head(hidden[:, [3]], mask_positions=np.zeros((2, 1), "int32")))
        self.assertAllClose(out[0, 1], again[0, 0], atol=1e-6)

    def test_needs_vocabulary(self):
        with pytest.raises(ValueError, match="Received neither"):
            MaskedLMHead()
