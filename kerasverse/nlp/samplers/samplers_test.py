"""Samplers on a toy bigram "model" whose next-token logits depend on the previous token."""

import numpy as np
import pytest
from keras import ops

from kerasverse.nlp import samplers
from kerasverse.testing import TestCase

VOCABULARY_SIZE = 6
# Bigram logits: after token t the most likely token is (t + 1) % 6.
TABLE = np.full((VOCABULARY_SIZE, VOCABULARY_SIZE), -5.0, "float32")
for _t in range(VOCABULARY_SIZE):
    TABLE[_t, (_t + 1) % VOCABULARY_SIZE] = 5.0
    TABLE[_t, (_t + 2) % VOCABULARY_SIZE] = 3.0


def bigram_next(prompt, cache, index):
    previous = ops.take(prompt, index - 1, axis=1)
    logits = ops.take(ops.convert_to_tensor(TABLE), previous, axis=0)
    hidden = ops.one_hot(previous, VOCABULARY_SIZE)
    return logits, hidden, cache


def _prompt():
    return ops.convert_to_tensor(np.array([[0, 0, 0, 0, 0, 0], [3, 1, 0, 0, 0, 0]], "int32"))


def _mask():
    return ops.convert_to_tensor(np.array([[1, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0]], bool))


class SamplersTest(TestCase):
    def test_greedy_follows_the_chain_and_keeps_prompt(self):
        output = samplers.GreedySampler()(bigram_next, _prompt(), index=1, mask=_mask())
        self.assertAllEqual(output, np.array([[0, 1, 2, 3, 4, 5], [3, 1, 2, 3, 4, 5]]))

    def test_stop_token_ends_generation(self):
        output = samplers.GreedySampler()(bigram_next, _prompt(), index=1, mask=_mask(), stop_token_ids=(3,))
        # Both rows produced 3 by position 3; the loop stopped there.
        self.assertAllEqual(np.asarray(output)[:, 4:], np.zeros((2, 2)))
        self.assertAllEqual(np.asarray(output)[0, :4], np.array([0, 1, 2, 3]))

    def test_padding_equal_to_stop_token_does_not_stop(self):
        # GPT-2 pads with its stop token: unfilled positions must not end the loop.
        output = samplers.GreedySampler()(bigram_next, _prompt(), index=1, mask=_mask(), stop_token_ids=(0,))
        self.assertAllEqual(output, np.array([[0, 1, 2, 3, 4, 5], [3, 1, 2, 3, 4, 5]]))
        beam = samplers.BeamSampler(num_beams=2)(bigram_next, _prompt(), index=1, mask=_mask(), stop_token_ids=(0,))
        self.assertAllEqual(beam, np.array([[0, 1, 2, 3, 4, 5], [3, 1, 2, 3, 4, 5]]))

    def test_top_k_1_is_greedy_and_top_k_2_stays_in_top_two(self):
        greedy = samplers.GreedySampler()(bigram_next, _prompt(), index=1, mask=_mask())
        self.assertAllEqual(samplers.TopKSampler(k=1, seed=1)(bigram_next, _prompt(), index=1, mask=_mask()), greedy)
        sampler = samplers.TopKSampler(k=2, seed=3, temperature=5.0)
        output = np.asarray(sampler(bigram_next, _prompt(), index=1, mask=_mask(), seed=sampler.next_seed()))
        steps = (output[:, 1:] - output[:, :-1]) % VOCABULARY_SIZE
        self.assertTrue(np.isin(steps[:, 1:], [1, 2]).all())

    def test_random_sampler_is_seeded_and_spreads(self):
        draws = []
        for seed in range(12):
            sampler = samplers.RandomSampler(seed=seed, temperature=20.0)
            draws.append(np.asarray(sampler(bigram_next, _prompt(), index=1, mask=_mask(), seed=sampler.next_seed())))
        self.assertGreater(len({d.tobytes() for d in draws}), 3)
        again = samplers.RandomSampler(seed=0, temperature=20.0)
        self.assertAllEqual(again(bigram_next, _prompt(), index=1, mask=_mask(), seed=again.next_seed()), draws[0])

    def test_top_p_small_p_is_greedy(self):
        greedy = samplers.GreedySampler()(bigram_next, _prompt(), index=1, mask=_mask())
        sampler = samplers.TopPSampler(p=0.5, seed=0)
        self.assertAllEqual(sampler(bigram_next, _prompt(), index=1, mask=_mask(), seed=sampler.next_seed()), greedy)

    def test_beam_finds_better_sequence_than_greedy(self):
        # A trap: from 0 the greedy choice 1 leads to flat logits; 2 leads to a sure 3.
        table = np.zeros((4, 4), "float32")
        table[0] = np.log([0.01, 0.5, 0.49, 0.0001])
        table[1] = np.log([0.25, 0.25, 0.25, 0.25])
        table[2] = np.log([0.0001, 0.0001, 0.0001, 0.9997])
        table[3] = np.log([0.97, 0.01, 0.01, 0.01])

        def next_fn(prompt, cache, index):
            previous = ops.take(prompt, index - 1, axis=1)
            return ops.take(ops.convert_to_tensor(table), previous, axis=0), None, cache

        prompt = ops.convert_to_tensor(np.zeros((1, 3), "int32"))
        mask = ops.convert_to_tensor(np.array([[True, False, False]]))
        greedy = samplers.GreedySampler()(next_fn, prompt, index=1, mask=mask)
        self.assertEqual(int(np.asarray(greedy)[0, 1]), 1)
        beam = samplers.BeamSampler(num_beams=2)(next_fn, prompt, index=1, mask=mask)
        self.assertAllEqual(beam, np.array([[0, 2, 3]]))
        sequences, scores = samplers.BeamSampler(num_beams=2, return_all_beams=True)(next_fn, prompt, index=1, mask=mask)
        self.assertEqual(tuple(ops.shape(sequences)), (1, 2, 3))
        self.assertAllClose(np.asarray(scores)[0, 0], np.log(0.49 * 0.9997), atol=1e-4)

    def test_beam_keeps_prompt_of_longer_rows(self):
        output = samplers.BeamSampler(num_beams=3)(bigram_next, _prompt(), index=1, mask=_mask())
        self.assertAllEqual(output, np.array([[0, 1, 2, 3, 4, 5], [3, 1, 2, 3, 4, 5]]))

    def test_contrastive_alpha_zero_is_greedy_and_penalty_avoids_repeats(self):
        hidden = ops.one_hot(_prompt(), VOCABULARY_SIZE)
        greedy = samplers.GreedySampler()(bigram_next, _prompt(), index=1, mask=_mask())
        output = samplers.ContrastiveSampler(k=2, alpha=0.0)(bigram_next, _prompt(), index=1, mask=_mask(), hidden_states=hidden)
        self.assertAllEqual(output, greedy)
        with pytest.raises(ValueError, match="hidden_states=None"):
            samplers.ContrastiveSampler()(bigram_next, _prompt(), index=1)

    def test_get_serialize_deserialize(self):
        for name, cls in [("greedy", samplers.GreedySampler), ("top_k", samplers.TopKSampler), ("beam", samplers.BeamSampler)]:
            self.assertIsInstance(samplers.get(name), cls)
        sampler = samplers.TopPSampler(p=0.7, k=10, seed=4, temperature=0.5)
        config = samplers.serialize(sampler)
        restored = samplers.deserialize(config)
        self.assertIsInstance(restored, samplers.TopPSampler)
        self.assertEqual((restored.p, restored.k, restored.seed, restored.temperature), (0.7, 10, 4, 0.5))
        self.assertIs(samplers.get(sampler), sampler)
        self.assertIsInstance(samplers.get(config), samplers.TopPSampler)
        with pytest.raises(ValueError, match="Could not interpret sampler identifier: 'nope'"):
            samplers.get("nope")
        with pytest.raises(ValueError, match="Received: k=0"):
            samplers.TopKSampler(k=0)
        with pytest.raises(ValueError, match="Received: p=2"):
            samplers.TopPSampler(p=2)
