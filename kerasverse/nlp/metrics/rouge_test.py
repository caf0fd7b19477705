import random

import keras
import pytest

from kerasverse.nlp.metrics.rouge_l import RougeL
from kerasverse.nlp.metrics.rouge_n import RougeN
from kerasverse.testing import TestCase

WORDS = "the a cat dog sat sits sitting on mat mats running runs ran quickly The CAT, dog's 42 x-ray über".split()


def random_pairs(count, seed):
    rng = random.Random(seed)
    sentence = lambda: " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))  # noqa: E731
    return [(sentence(), sentence()) for _ in range(count)]


class RougeTest(TestCase):
    def check_against_rouge_score(self, metric, rouge_type, use_stemmer, seed):
        from rouge_score import rouge_scorer

        scorer = rouge_scorer.RougeScorer([rouge_type], use_stemmer=use_stemmer)
        pairs = random_pairs(300, seed)
        sums = [0.0, 0.0, 0.0]
        single = metric.__class__.from_config(metric.get_config())
        for reference, prediction in pairs:
            score = scorer.score(reference, prediction)[rouge_type]
            sums = [s + v for s, v in zip(sums, (score.precision, score.recall, score.fmeasure))]
            single.reset_state()
            result = single([reference], [prediction])
            self.assertAllClose(
                [result["precision"], result["recall"], result["f1_score"]],
                [score.precision, score.recall, score.fmeasure], atol=1e-6,
            )
        # Accumulated over batches: the mean over samples.
        for start in range(0, 300, 50):
            batch = pairs[start : start + 50]
            metric.update_state([r for r, _ in batch], [p for _, p in batch])
        result = metric.result()
        self.assertAllClose([result["precision"], result["recall"], result["f1_score"]], [s / 300 for s in sums], atol=1e-5)

    def test_rouge_n_against_rouge_score(self):
        self.check_against_rouge_score(RougeN(order=1), "rouge1", False, 0)
        self.check_against_rouge_score(RougeN(order=2), "rouge2", False, 1)
        self.check_against_rouge_score(RougeN(order=3, use_stemmer=True), "rouge3", True, 2)

    def test_rouge_l_against_rouge_score(self):
        self.check_against_rouge_score(RougeL(), "rougeL", False, 3)
        self.check_against_rouge_score(RougeL(use_stemmer=True), "rougeL", True, 4)

    def test_errors_config_reset(self):
        metric = RougeN(order=2)
        revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
        self.assertEqual(revived.get_config(), metric.get_config())
        metric.update_state("a b c", "a b")
        metric.reset_state()
        self.assertEqual(metric.result(), {"precision": 0.0, "recall": 0.0, "f1_score": 0.0})
        with pytest.raises(ValueError, match="Received: order=0"):
            RougeN(order=0)
        with pytest.raises(ValueError, match="Received: 2 references and 1 predictions"):
            metric.update_state(["a", "b"], ["a"])
        with pytest.raises(TypeError, match="must be a string or a list of strings. Received: y_true=5"):
            metric.update_state(5, "a")
        with pytest.raises(ValueError, match="must not be an empty batch"):
            metric.update_state([], [])
