import random

import keras
import pytest

from kerasverse.nlp.metrics.bleu import Bleu
from kerasverse.nlp.metrics.bleu import tokenize_13a
from kerasverse.testing import TestCase

WORDS = "the a cat dog sat on mat . , 3.5 1,000 e-mail don't (it) \"quoted\" &amp; x-1 hello! what? 12-3".split()


def random_corpus(count, seed):
    rng = random.Random(seed)
    sentence = lambda low: " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, 14)))  # noqa: E731
    references = [sentence(4) for _ in range(count)]
    # Predictions share words with their references, so BLEU is not zero.
    predictions = [" ".join(w for w in r.split() if rng.random() < 0.8) + " " + sentence(0) for r in references]
    return references, predictions


class BleuTest(TestCase):
    def test_tokenizer_matches_sacrebleu_13a(self):
        from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

        reference = Tokenizer13a()
        rng = random.Random(0)
        alphabet = "ab1 2.,-&;:!?'\"()[]{}<>/\\$%@#^_`~|\n" + "é"
        for _ in range(300):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
            self.assertEqual(tokenize_13a(text), reference(text).split(), repr(text))

    def test_corpus_bleu_against_sacrebleu(self):
        import sacrebleu

        for seed in range(3):
            references, predictions = random_corpus(300, seed)
            expected = sacrebleu.corpus_bleu(predictions, [references], smooth_method="none").score / 100
            metric = Bleu()
            for start in range(0, 300, 60):
                metric.update_state(references[start : start + 60], predictions[start : start + 60])
            self.assertAllClose(metric.result(), expected, atol=1e-6)
            self.assertGreater(expected, 0.05)
        # Per sentence, on several hundred cases (including BLEU = 0 ones).
        references, predictions = random_corpus(300, 9)
        single = Bleu()
        for reference, prediction in zip(references, predictions):
            expected = sacrebleu.corpus_bleu([prediction], [[reference]], smooth_method="none").score / 100
            single.reset_state()
            self.assertAllClose(single([reference], [prediction]), expected, atol=1e-6)

    def test_smoothing_orders_tokenizer_multiple_references(self):
        metric = Bleu(smooth=True, max_order=2)
        metric.update_state([["the cat sat", "a cat sat down"]], ["the cat"])
        # Matches: unigrams 2/2, bigrams 1/1 (+1 smoothing each); shortest
        # reference 3 tokens, prediction 2: brevity penalty exp(1 - 3/2).
        expected = ((3 / 3) * (2 / 2)) ** 0.5 * 2.718281828459045 ** (1 - 3 / 2)
        self.assertAllClose(metric.result(), expected)
        custom = Bleu(tokenizer=lambda text: list(text), max_order=1)
        self.assertAllClose(custom(["abc"], ["abd"]), 2 / 3)
        single = Bleu()
        self.assertAllClose(single("the cat sat on the mat", "the cat sat on the mat"), 1.0)

    def test_errors_config_reset(self):
        metric = Bleu(max_order=3, smooth=True)
        revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
        self.assertEqual(revived.get_config(), metric.get_config())
        metric.update_state(["a b c"], ["a b c"])
        metric.reset_state()
        self.assertEqual(metric.result(), 0.0)
        with pytest.raises(ValueError, match="Received: 2 reference sets and 1 predictions"):
            metric.update_state([["a"], ["b"]], ["a"])
        with pytest.raises(TypeError, match="Received: y_pred=3"):
            metric.update_state("a", 3)
        with pytest.raises(ValueError, match="Received: max_order=0"):
            Bleu(max_order=0)
