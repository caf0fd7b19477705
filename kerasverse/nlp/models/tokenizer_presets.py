"""Building a model family's tokenizer from a preset directory (ours or Hugging Face)."""

from kerasverse.models import hugging_face
from kerasverse.models import preset_io


def tokenizer_from_preset(tokenizer_cls, preset, **kwargs):
    """Builds `tokenizer_cls` from `preset`.

    A Hugging Face checkpoint directory goes through the converter of its
    `model_type` (`tokenizer_kwargs` reads `vocab.txt`, `vocab.json`,
    `merges.txt`, ...); a kerasverse preset holds `tokenizer.json` plus the
    tokenizer's assets.
    """
    preset = preset_io.check_preset_dir(preset)
    if preset_io.is_hugging_face_checkpoint(preset):
        converter = hugging_face.get_converter(hugging_face.read_hf_config(preset)["model_type"])
        return tokenizer_cls(**{**converter.tokenizer_kwargs(preset), **kwargs})
    return preset_io.load_serialized(preset, preset_io.TOKENIZER_CONFIG_FILE, expected_cls=tokenizer_cls, **kwargs)
