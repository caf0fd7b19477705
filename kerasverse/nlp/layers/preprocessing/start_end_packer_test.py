import keras
import numpy as np
import pytest

from kerasverse.nlp.layers.preprocessing.start_end_packer import StartEndPacker
from kerasverse.testing import TestCase


class StartEndPackerTest(TestCase):
    def test_dense_and_ragged(self):
        packer = StartEndPacker(sequence_length=6, start_value=1, end_value=2)
        out = packer([[5, 6, 7], [8, 9, 10, 11, 12]])
        np.testing.assert_array_equal(out, [[1, 5, 6, 7, 2, 0], [1, 8, 9, 10, 11, 2]])
        self.assertEqual(out.dtype, np.int32)
        np.testing.assert_array_equal(packer([5, 6]), [1, 5, 6, 2, 0, 0])
        np.testing.assert_array_equal(packer(np.array([[5, 6], [7, 8]])), [[1, 5, 6, 2, 0, 0], [1, 7, 8, 2, 0, 0]])
        np.testing.assert_array_equal(
            packer([[5, 6, 7]], sequence_length=4, add_start_value=False), [[5, 6, 7, 2]]
        )
        np.testing.assert_array_equal(packer([[5, 6, 7]], add_end_value=False), [[1, 5, 6, 7, 0, 0]])

    def test_lists_strings_left_padding_and_mask(self):
        packer = StartEndPacker(
            sequence_length=5, start_value=["[CLS]", "[X]"], end_value="[SEP]", pad_value="[PAD]",
            return_padding_mask=True, padding_side="left",
        )
        out, mask = packer([["a", "b"], ["a", "b", "c", "d"]])
        self.assertEqual(out.tolist(), [["[CLS]", "[X]", "a", "b", "[SEP]"], ["[CLS]", "[X]", "a", "b", "[SEP]"]])
        packer = StartEndPacker(sequence_length=5, end_value=2, return_padding_mask=True, padding_side="left")
        out, mask = packer([[7], [8, 9]])
        np.testing.assert_array_equal(out, [[0, 0, 0, 7, 2], [0, 0, 8, 9, 2]])
        np.testing.assert_array_equal(mask, [[False, False, False, True, True], [False, False, True, True, True]])

    def test_random_against_reference(self):
        rng = np.random.default_rng(0)
        packer = StartEndPacker(sequence_length=7, start_value=[101, 102], end_value=103, pad_value=-1)
        for _ in range(200):
            row = rng.integers(1, 50, size=rng.integers(0, 12)).tolist()
            expected = ([101, 102] + row)[:6] + [103]
            expected += [-1] * (7 - len(expected))
            np.testing.assert_array_equal(packer([row])[0], expected)

    def test_config_and_errors(self):
        packer = StartEndPacker(sequence_length=4, start_value=1, end_value=[2, 3], padding_side="left")
        revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(packer))
        np.testing.assert_array_equal(revived([[9]]), packer([[9]]))
        self.assertEqual(revived.get_config(), packer.get_config())
        with pytest.raises(ValueError, match="Received: sequence_length=0"):
            StartEndPacker(sequence_length=0)
        with pytest.raises(ValueError, match="Received: padding_side='top'"):
            StartEndPacker(sequence_length=3, padding_side="top")
        with pytest.raises(TypeError, match="Received: 3"):
            StartEndPacker(sequence_length=3)(3)


class StartEndPackerInModelTest(TestCase):
    def test_layer_in_model(self):
        data = np.array([[5, 6, 7], [8, 9, 10]], "int32")
        output = self.run_layer_test(
            StartEndPacker,
            init_kwargs={"sequence_length": 8, "start_value": 1, "end_value": [2, 3], "padding_side": "left"},
            input_data=data,
            expected_output_shape=(2, 8),
            run_training_check=False,
        )
        np.testing.assert_array_equal(output, [[0, 0, 1, 5, 6, 7, 2, 3], [0, 0, 1, 8, 9, 10, 2, 3]])
        packer = StartEndPacker(sequence_length=7, start_value=1, end_value=2, return_padding_mask=True)
        tokens, mask = packer(keras.ops.convert_to_tensor(data))
        host_tokens, host_mask = packer(data)
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(tokens), host_tokens)
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(mask), host_mask)
        short = StartEndPacker(sequence_length=3, start_value=1, end_value=2)
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(short(keras.ops.convert_to_tensor(data))), short(data))
