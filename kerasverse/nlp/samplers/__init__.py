"""kerasverse.nlp.samplers: how a causal LM picks each generated token (keras_hub API)."""

from kerasverse.nlp.samplers.beam_sampler import BeamSampler
from kerasverse.nlp.samplers.contrastive_sampler import ContrastiveSampler
from kerasverse.nlp.samplers.greedy_sampler import GreedySampler
from kerasverse.nlp.samplers.random_sampler import RandomSampler
from kerasverse.nlp.samplers.sampler import Sampler
from kerasverse.nlp.samplers.serialization import deserialize
from kerasverse.nlp.samplers.serialization import get
from kerasverse.nlp.samplers.serialization import serialize
from kerasverse.nlp.samplers.top_k_sampler import TopKSampler
from kerasverse.nlp.samplers.top_p_sampler import TopPSampler

__all__ = [
    "Sampler",
    "BeamSampler",
    "ContrastiveSampler",
    "GreedySampler",
    "RandomSampler",
    "TopKSampler",
    "TopPSampler",
    "get",
    "serialize",
    "deserialize",
]
