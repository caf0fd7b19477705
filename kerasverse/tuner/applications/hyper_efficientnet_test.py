import keras
import pytest

import kerasverse.tuner as kt
from kerasverse.testing.test_case import TestCase
from kerasverse.tuner.applications import HyperEfficientNet
from kerasverse.tuner.applications import HyperImageAugment


class HyperEfficientNetTest(TestCase):
    @pytest.mark.slow
    def test_default_build_is_keras_efficientnet_b0_at_224(self):
        hp = kt.HyperParameters()
        augment = HyperImageAugment(input_shape=(16, 16, 3), augment_layers=0)
        model = HyperEfficientNet(input_shape=(16, 16, 3), classes=4,
                                  augmentation_model=augment).build(hp)
        reference = keras.applications.EfficientNetB0(include_top=False, weights=None,
                                                      input_shape=(224, 224, 3))
        assert model.count_params() == reference.count_params() + 1280 * 4 + 4
        assert tuple(model.output.shape) == (None, 4)
        resizing = [layer for layer in model.layers if isinstance(layer, keras.layers.Resizing)]
        assert (resizing[0].height, resizing[0].width) == (224, 224)
        assert {"version", "pooling", "top_dropout_rate", "learning_rate", "factor_rotate"} <= set(hp.values)
        assert isinstance(model.optimizer, keras.optimizers.SGD)

    def test_bad_arguments_raise(self):
        with pytest.raises(ValueError, match="Received: augmentation_model='flip'"):
            HyperEfficientNet(input_shape=(8, 8, 3), classes=2, augmentation_model="flip")
        with pytest.raises(ValueError, match="needs the number of classes"):
            HyperEfficientNet(input_shape=(8, 8, 3))
