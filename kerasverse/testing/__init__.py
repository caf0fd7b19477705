"""Test helpers shared by every kerasverse subpackage (and usable by users).

`TestCase.run_layer_test` / `run_model_test` check shapes, config round trips,
`.keras` saving, a training step and compiled execution in one call.
"""

from kerasverse.testing.test_case import TestCase

__all__ = ["TestCase"]
