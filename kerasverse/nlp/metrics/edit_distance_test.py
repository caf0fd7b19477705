import random

import keras
import numpy as np
import pytest

from kerasverse.nlp.metrics.edit_distance import EditDistance
from kerasverse.testing import TestCase


def reference_levenshtein(a, b):
    """Textbook full-matrix Wagner-Fischer, written independently of the metric."""
    table = np.zeros((len(a) + 1, len(b) + 1), dtype=int)
    table[:, 0] = np.arange(len(a) + 1)
    table[0, :] = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            table[i, j] = min(table[i - 1, j] + 1, table[i, j - 1] + 1, table[i - 1, j - 1] + cost)
    return int(table[-1, -1])


class EditDistanceTest(TestCase):
    def test_keras_hub_examples(self):
        y_true = "the tiny little cat was found under the big funny bed".split()
        y_pred = "the cat was found under the bed".split()
        self.assertAllClose(EditDistance()(y_true, y_pred), 0.36363637)
        y_true = [y_true, "it is sunny today".split()]
        y_pred = [y_pred, "it is sunny but with a hint of cloud cover".split()]
        self.assertAllClose(EditDistance()(y_true, y_pred), 0.73333335)

    def test_random_cases_against_reference(self):
        rng = random.Random(0)
        for normalize in (True, False):
            metric = EditDistance(normalize=normalize)
            total = denominator = 0
            single_metric = EditDistance(normalize=normalize)
            for _ in range(400):
                a = [rng.choice("abcd") for _ in range(rng.randint(1, 9))]
                b = [rng.choice("abcd") for _ in range(rng.randint(0, 9))]
                distance = reference_levenshtein(a, b)
                single_metric.reset_state()
                single = single_metric([a], [b])
                self.assertAllClose(single, distance / len(a) if normalize else distance)
                metric.update_state([a], [b])
                total += distance
                denominator += len(a) if normalize else 1
            self.assertAllClose(metric.result(), total / denominator, rtol=1e-5)
        ids = EditDistance(normalize=False)(np.array([[1, 2, 3]]), np.array([[1, 3, 3]]))
        self.assertAllClose(ids, 1.0)

    def test_errors_config_reset(self):
        metric = EditDistance(normalize=False)
        revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
        self.assertEqual(revived.get_config(), metric.get_config())
        metric.update_state([["a"]], [["b"]])
        metric.reset_state()
        self.assertAllClose(metric.result(), 0.0)
        with pytest.raises(TypeError, match="must be tokenized.*split it first"):
            metric.update_state("a b", ["a"])
        with pytest.raises(ValueError, match="Received: 2 and 1"):
            metric.update_state([["a"], ["b"]], [["a"]])
