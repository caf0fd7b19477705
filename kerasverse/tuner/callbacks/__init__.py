"""Keras callbacks of the tuner that need no TensorFlow."""

from kerasverse.tuner.callbacks.event_file import EventFileWriter
from kerasverse.tuner.callbacks.tensorboard import TensorBoard

__all__ = ["EventFileWriter", "TensorBoard"]
