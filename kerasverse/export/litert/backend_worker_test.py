import keras
import pytest

from kerasverse.export.litert import backend_worker


class _MainLayer(keras.layers.Layer):
    def call(self, x):
        return x


_MainLayer.__module__ = "__main__"


def test_custom_modules_of_lists_non_keras_classes():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), _MainLayer()])
    assert backend_worker.custom_modules_of(model) == ["__main__"]


def test_classes_from_main_cannot_cross_processes():
    model = keras.Sequential([keras.Input((2,)), _MainLayer(name="mine")])
    with pytest.raises(
        ValueError,
        match=r"classes defined in `__main__` \(_MainLayer\).*importable module",
    ):
        backend_worker.run_in_backend(model, "tensorflow", "litert")
