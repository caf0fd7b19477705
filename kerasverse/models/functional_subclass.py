"""Attribute handling shared by `Backbone` and `Task` (functional subclasses).

A functional subclass assigns layers (`self.backbone = ...`) before calling
`keras.Model.__init__`. On the PyTorch backend a Keras model is also a
`torch.nn.Module`, which refuses sub-module attributes before its own
`__init__`. All weights of a functional model are reachable through its graph,
so until initialization (and for properties) plain attribute assignment is
enough and correct.
"""

import keras


class FunctionalSubclassMixin:
    def _finish_functional_init(self):
        object.__setattr__(self, "_kerasverse_initialized", True)

    def __setattr__(self, name, value):
        initialized = self.__dict__.get("_kerasverse_initialized", False)
        is_property = isinstance(getattr(type(self), name, None), property)
        if keras.config.backend() == "torch" and (is_property or not initialized):
            object.__setattr__(self, name, value)
            return
        super().__setattr__(name, value)
