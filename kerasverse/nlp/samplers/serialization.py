"""`get`, `serialize` and `deserialize` for samplers (the `keras.*.get` pattern)."""

import keras

from kerasverse.nlp.samplers.beam_sampler import BeamSampler
from kerasverse.nlp.samplers.contrastive_sampler import ContrastiveSampler
from kerasverse.nlp.samplers.greedy_sampler import GreedySampler
from kerasverse.nlp.samplers.random_sampler import RandomSampler
from kerasverse.nlp.samplers.sampler import Sampler
from kerasverse.nlp.samplers.top_k_sampler import TopKSampler
from kerasverse.nlp.samplers.top_p_sampler import TopPSampler

ALL_SAMPLERS = {
    "beam": BeamSampler,
    "contrastive": ContrastiveSampler,
    "greedy": GreedySampler,
    "random": RandomSampler,
    "top_k": TopKSampler,
    "top_p": TopPSampler,
}


def serialize(sampler):
    """The config dict of a sampler (`keras.saving.serialize_keras_object`)."""
    return keras.saving.serialize_keras_object(sampler)


def deserialize(config, custom_objects=None):
    """Rebuilds a sampler from `serialize`'s output or a name like `"top_k"`."""
    if isinstance(config, str):
        return get(config)
    objects = {**{cls.__name__: cls for cls in ALL_SAMPLERS.values()}, **(custom_objects or {})}
    return keras.saving.deserialize_keras_object(config, custom_objects=objects)


def get(identifier):
    """A sampler from a name (`"greedy"`, `"top_k"`, ...), a config dict or an instance.

    Example:

    >>> get("greedy").__class__.__name__
    'GreedySampler'
    """
    if isinstance(identifier, Sampler):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier in ALL_SAMPLERS:
        return ALL_SAMPLERS[identifier]()
    raise ValueError(
        f"Could not interpret sampler identifier: {identifier!r}. Expected a Sampler instance, "
        f"a config dict or one of {sorted(ALL_SAMPLERS)}."
    )
