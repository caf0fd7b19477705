import keras
import pytest

import kerasverse.tuner as kt
from kerasverse.testing.test_case import TestCase
from kerasverse.tuner.applications import HyperResNet


class HyperResNetTest(TestCase):
    @pytest.mark.slow
    def test_default_build_is_keras_resnet50v2_with_a_head(self):
        model = HyperResNet(input_shape=(32, 32, 3), classes=3).build(kt.HyperParameters())
        # Oracle: keras.applications' own ResNet50V2 plus a 3-way dense head.
        reference = keras.applications.ResNet50V2(include_top=False, weights=None,
                                                  input_shape=(32, 32, 3))
        assert model.count_params() == reference.count_params() + 2048 * 3 + 3
        assert tuple(model.output.shape) == (None, 3)
        assert model.loss == "categorical_crossentropy"
        assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(0.01)

    @pytest.mark.slow
    def test_version_and_depth_choose_the_backbone(self):
        hp = kt.HyperParameters()
        hp.Choice("version", ["v1", "v2"])
        hp.values["version"] = "v1"
        model = HyperResNet(include_top=False, input_shape=(32, 32, 3)).build(hp)
        reference = keras.applications.ResNet50(include_top=False, weights=None,
                                                input_shape=(32, 32, 3))
        assert model.count_params() == reference.count_params()
        assert tuple(model.output.shape) == (None, 2048)
        assert set(hp.values) == {"version", "depth", "pooling"}  # No head: no optimizer.

    def test_bad_arguments_raise(self):
        with pytest.raises(ValueError, match="needs the number of classes.*Received: classes=None"):
            HyperResNet(input_shape=(32, 32, 3))
        with pytest.raises(ValueError, match="Received: input_shape=None, input_tensor=None"):
            HyperResNet(classes=2)
