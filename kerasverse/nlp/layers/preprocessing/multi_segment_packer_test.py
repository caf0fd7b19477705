import keras
import numpy as np
import pytest

from kerasverse.nlp.layers.preprocessing.multi_segment_packer import MultiSegmentPacker
from kerasverse.testing import TestCase


def reference_round_robin(lengths, budget):
    """keras_hub/tf-text rule: token k of segment s has priority k * S + s;
    the `budget` lowest priorities are kept."""
    priorities = sorted((k * len(lengths) + s, s) for s, n in enumerate(lengths) for k in range(n))
    kept = [0] * len(lengths)
    for _, s in priorities[: max(budget, 0)]:
        kept[s] += 1
    return kept


class MultiSegmentPackerTest(TestCase):
    def test_keras_hub_examples(self):
        packer = MultiSegmentPacker(sequence_length=8, start_value=101, end_value=102)
        tokens, segments = packer(([1, 2, 3, 4],))
        np.testing.assert_array_equal(tokens, [101, 1, 2, 3, 4, 102, 0, 0])
        np.testing.assert_array_equal(segments, [0] * 8)
        tokens, segments = packer(([1, 2, 3, 4], [11, 12, 13, 14]))
        np.testing.assert_array_equal(tokens, [101, 1, 2, 3, 102, 11, 12, 102])
        np.testing.assert_array_equal(segments, [0, 0, 0, 0, 0, 1, 1, 1])
        packer = MultiSegmentPacker(8, start_value=101, end_value=102, sep_value=[102, 102])
        tokens, segments = packer(([1, 2, 3, 4], [11, 12, 13, 14]))
        np.testing.assert_array_equal(tokens, [101, 1, 2, 102, 102, 11, 12, 102])
        np.testing.assert_array_equal(segments, [0, 0, 0, 0, 0, 1, 1, 1])

    def test_truncation_against_reference(self):
        rng = np.random.default_rng(0)
        for truncate in ("round_robin", "waterfall"):
            packer = MultiSegmentPacker(12, start_value=1, end_value=2, truncate=truncate)
            for _ in range(150):
                num_segments = int(rng.integers(1, 4))
                parts = [rng.integers(10, 99, size=rng.integers(0, 10)).tolist() for _ in range(num_segments)]
                budget = 12 - 1 - num_segments
                lengths = [len(p) for p in parts]
                if truncate == "round_robin":
                    kept = reference_round_robin(lengths, budget)
                else:
                    kept, left = [], budget
                    for n in lengths:
                        kept.append(min(n, left))
                        left -= kept[-1]
                expected_tokens, expected_segments = [1], [0]
                for s, (part, k) in enumerate(zip(parts, kept)):
                    expected_tokens += part[:k] + [2]
                    expected_segments += [s] * (k + 1)
                pad = 12 - len(expected_tokens)
                tokens, segments = packer(tuple([p] for p in parts))
                np.testing.assert_array_equal(tokens[0], expected_tokens + [0] * pad)
                np.testing.assert_array_equal(segments[0], expected_segments + [0] * pad)

    def test_batches_strings_and_left_padding(self):
        packer = MultiSegmentPacker(7, start_value="[CLS]", end_value="[SEP]", padding_side="left")
        tokens, segments = packer(([["a"], ["b", "c"]], [["d"], ["e"]]))
        self.assertEqual(tokens.tolist()[0], ["", "", "[CLS]", "a", "[SEP]", "d", "[SEP]"])
        np.testing.assert_array_equal(segments, [[0, 0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 1, 1]])
        self.assertEqual(tokens.tolist()[1], ["", "[CLS]", "b", "c", "[SEP]", "e", "[SEP]"])
        tokens, segments = MultiSegmentPacker(6, 1, 2)((np.array([[5, 6], [7, 8]]), np.array([[9], [9]])))
        np.testing.assert_array_equal(tokens, [[1, 5, 6, 2, 9, 2], [1, 7, 8, 2, 9, 2]])

    def test_config_and_errors(self):
        packer = MultiSegmentPacker(6, start_value=1, end_value=2, sep_value=[3, 3], truncate="waterfall")
        revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(packer))
        self.assertEqual(revived.get_config(), packer.get_config())
        np.testing.assert_array_equal(revived(([5, 6], [7]))[0], packer(([5, 6], [7]))[0])
        with pytest.raises(ValueError, match="Received: truncate='random'"):
            MultiSegmentPacker(6, 1, 2, truncate="random")
        with pytest.raises(ValueError, match="same rank"):
            packer(([5, 6], [[7]]))
        with pytest.raises(ValueError, match="same batch size"):
            packer(([[5, 6]], [[7], [8]]))


class MultiSegmentPackerInModelTest(TestCase):
    def test_layer_in_model(self):
        first = np.array([[5, 6, 7, 8], [9, 10, 11, 12]], "int32")
        second = np.array([[20, 21], [22, 23]], "int32")
        for truncate in ("round_robin", "waterfall"):
            init = {"sequence_length": 7, "start_value": 1, "end_value": 2, "truncate": truncate}
            output = self.run_layer_test(
                MultiSegmentPacker,
                init_kwargs=init,
                input_data=(first, second),
                expected_output_shape=((2, 7), (2, 7)),
                run_training_check=False,
            )
            host = MultiSegmentPacker(**init)((first, second))
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(output[0]), host[0])
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(output[1]), host[1])
        packer = MultiSegmentPacker(10, 1, 2, sep_value=[3, 3], padding_side="left")
        tokens, segments = packer((keras.ops.convert_to_tensor(first), keras.ops.convert_to_tensor(second)))
        host_tokens, host_segments = packer((first, second))
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(tokens), host_tokens)
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(segments), host_segments)
