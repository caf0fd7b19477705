import keras
import numpy as np
import pytest

from kerasverse.nlp.metrics.perplexity import Perplexity
from kerasverse.testing import TestCase


def reference_perplexity(y_true, logits, weights):
    shifted = logits - logits.max(-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    nll = -np.take_along_axis(log_probs, y_true[..., None], -1)[..., 0]
    return np.exp((nll * weights).sum() / weights.sum())


class PerplexityTest(TestCase):
    def test_random_cases_against_numpy(self):
        rng = np.random.default_rng(0)
        metrics = {None: Perplexity(from_logits=True), 0: Perplexity(from_logits=True, mask_token_id=0)}
        for case in range(300):
            batch, length, vocab = 3, 5, 7
            y_true = rng.integers(0, vocab, size=(batch, length))
            logits = rng.normal(size=(batch, length, vocab)).astype("float32") * 2
            y_true[0, 0] = 1  # At least one unmasked token.
            weights = rng.uniform(0.5, 2.0, size=(batch, length))
            mask_token_id = 0 if case % 2 else None
            metric = metrics[mask_token_id]
            metric.reset_state()
            metric.update_state(y_true, logits, sample_weight=weights)
            effective = weights * (y_true != 0) if mask_token_id == 0 else weights
            expected = reference_perplexity(y_true, logits.astype("float64"), effective)
            self.assertAllClose(metric.result(), expected, rtol=1e-4, atol=1e-4)

    def test_probabilities_accumulation_and_reset(self):
        rng = np.random.default_rng(1)
        logits = rng.normal(size=(2, 3, 5)).astype("float32")
        probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        y_true = np.array([[1, 2, 3], [4, 0, 0]])
        metric = Perplexity(mask_token_id=0)
        metric.update_state(y_true[:1], probabilities[:1])
        metric.update_state(y_true[1:], probabilities[1:])
        expected = reference_perplexity(y_true, logits.astype("float64"), (y_true != 0).astype(float))
        self.assertAllClose(metric.result(), expected, rtol=1e-4)
        metric.reset_state()
        self.assertAllClose(metric.result(), 0.0)

    def test_in_compiled_model_and_config(self):
        model = keras.Sequential([keras.Input((4,), dtype="int32"), keras.layers.Embedding(6, 6)])
        model.compile(
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=[Perplexity(from_logits=True, name="perplexity")],
        )
        x = np.random.default_rng(0).integers(0, 6, size=(8, 4))
        logs = model.evaluate(x, x, verbose=0, return_dict=True)
        self.assertAllClose(logs["perplexity"], np.exp(logs["loss"]), rtol=1e-3)
        metric = Perplexity(from_logits=True, mask_token_id=0, name="ppl")
        revived = Perplexity.from_config(metric.get_config())
        self.assertEqual(revived.get_config(), metric.get_config())
        with pytest.raises(ValueError, match=r"Received: y_true.shape=\(2,\)"):
            metric.update_state(np.array([1, 2]), np.zeros((2, 3)))
