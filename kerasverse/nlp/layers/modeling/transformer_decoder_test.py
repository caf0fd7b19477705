import keras
import numpy as np
import pytest
from keras import ops

from kerasverse.nlp.layers.modeling.transformer_decoder import TransformerDecoder
from kerasverse.testing import TestCase


class TransformerDecoderTest(TestCase):
    def test_layer_decoder_only(self):
        self.run_layer_test(
            TransformerDecoder,
            init_kwargs={"intermediate_dim": 8, "num_heads": 2, "normalize_first": True, "activation": "gelu_approximate"},
            input_shape=(2, 5, 4),
            expected_output_shape=(2, 5, 4),
            expected_num_trainable_weights=16,
            tolerance=1e-5,
        )

    def test_model_with_cross_attention(self):
        decoder_input = keras.Input((5, 4))
        encoder_input = keras.Input((3, 4))
        outputs = TransformerDecoder(intermediate_dim=8, num_heads=2)(decoder_input, encoder_input)
        model = keras.Model([decoder_input, encoder_input], outputs)
        self.assertLen(model.layers[-1].trainable_weights, 26)
        rng = np.random.default_rng(0)
        data = [rng.standard_normal((2, 5, 4)).astype("float32"), rng.standard_normal((2, 3, 4)).astype("float32")]
        self.run_model_test(model, data, expected_output_shape=(2, 5, 4))

    def test_causal_future_tokens_do_not_change_past(self):
        decoder = TransformerDecoder(intermediate_dim=8, num_heads=2)
        x = np.random.default_rng(0).standard_normal((1, 6, 4)).astype("float32")
        changed = x.copy()
        changed[:, 4:] += 3.0
        self.assertAllClose(ops.convert_to_numpy(decoder(x))[:, :4], ops.convert_to_numpy(decoder(changed))[:, :4], atol=1e-5)
        self.assertNotAllClose(ops.convert_to_numpy(decoder(x))[:, 4:], ops.convert_to_numpy(decoder(changed))[:, 4:])

    def _decode_with_cache(self, decoder, x, encoder=None, prefill=0):
        batch, length, hidden = x.shape
        head_dim = hidden // decoder.num_heads
        cache = ops.zeros((batch, 2, length, decoder.num_heads, head_dim))
        outputs = []
        kwargs = {} if encoder is None else {"encoder_sequence": encoder}
        if prefill:
            out, cache = decoder(x[:, :prefill], self_attention_cache=cache, self_attention_cache_update_index=0, **kwargs)
            outputs.append(out)
        for i in range(prefill, length):
            out, cache = decoder(x[:, i : i + 1], self_attention_cache=cache, self_attention_cache_update_index=i, **kwargs)
            outputs.append(out)
        return ops.concatenate(outputs, axis=1)

    def test_kv_cache_matches_full_pass(self):
        rng = np.random.default_rng(1)
        decoder = TransformerDecoder(intermediate_dim=16, num_heads=2, normalize_first=True)
        x = rng.standard_normal((2, 7, 8)).astype("float32")
        full = decoder(x)
        self.assertAllClose(self._decode_with_cache(decoder, x), full, atol=1e-5, rtol=1e-5)
        self.assertAllClose(self._decode_with_cache(decoder, x, prefill=3), full, atol=1e-5, rtol=1e-5)

    def test_kv_cache_with_cross_attention_matches_full_pass(self):
        rng = np.random.default_rng(2)
        decoder = TransformerDecoder(intermediate_dim=16, num_heads=2)
        x = rng.standard_normal((2, 5, 8)).astype("float32")
        encoder = rng.standard_normal((2, 3, 8)).astype("float32")
        full = decoder(x, encoder)
        self.assertAllClose(self._decode_with_cache(decoder, x, encoder), full, atol=1e-5, rtol=1e-5)

    def test_errors(self):
        decoder = TransformerDecoder(intermediate_dim=8, num_heads=2)
        x = np.zeros((1, 3, 4), "float32")
        decoder(x)
        with pytest.raises(ValueError, match="built without an `encoder_sequence`"):
            decoder(x, np.zeros((1, 2, 4), "float32"))
        with pytest.raises(ValueError, match="together"):
            decoder(x, self_attention_cache=np.zeros((1, 2, 3, 2, 2), "float32"))

    def test_width_not_divisible_by_num_heads(self):
        # The keras.io GPT example: TransformerDecoder(num_heads=3) on width 256.
        decoder = TransformerDecoder(intermediate_dim=16, num_heads=3)
        outputs = decoder(np.zeros((1, 4, 256), "float32"))
        self.assertEqual(tuple(outputs.shape), (1, 4, 256))
        self.assertEqual(tuple(decoder._self_attention_layer._query_dense.kernel.shape), (256, 3, 85))
