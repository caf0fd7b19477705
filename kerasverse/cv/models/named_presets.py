"""Builtin presets by name: constructor arguments only, no weights.

kerasverse downloads nothing, so a builtin preset is a name for a standard
configuration (`"resnet50"`, `"yolo_v8_s_backbone"`, ...). A backbone class
with `builtin_presets` accepts such a name in `from_preset`, and a local
preset directory as before.
"""

import os


class NamedPresetsMixin:
    """Lets `from_preset` take a builtin configuration name (random weights)."""

    builtin_presets = {}

    @classmethod
    def from_preset(cls, preset, load_weights=True, **kwargs):
        if isinstance(preset, str) and not os.path.isdir(preset) and preset in cls.builtin_presets:
            return cls(**{**cls.builtin_presets[preset], **kwargs})
        if isinstance(preset, str) and not os.path.isdir(preset) and os.sep not in preset and "." not in preset:
            raise ValueError(
                f"Unknown preset {preset!r} for {cls.__name__}: not a local directory and not a "
                f"builtin configuration. Builtin configurations: {sorted(cls.builtin_presets)}."
            )
        return super().from_preset(preset, load_weights=load_weights, **kwargs)
