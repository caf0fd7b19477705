"""`check`: what stands between a model and the TF.js Layers format."""

from kerasverse.export.tfjs.errors import UnsupportedModelError
from kerasverse.export.tfjs.supported_layers import supported_layer_names
from kerasverse.export.tfjs.topology import model_topology


def check(model, raise_error=False):
    """Lists what `save_model` would refuse in `model`, without writing anything.

    Args:
        model: a Keras 3 model.
        raise_error: raise `UnsupportedModelError` (a `ValueError`) when
            something is unsupported, instead of returning the list.

    Returns:
        A list of problem sentences, each naming the layer and its class;
        empty when the model exports. Its `notes` attribute lists the
        layers "supported via kerasverse-layers.js" (the companion module
        `save_model` writes next to `model.json`), and `companion` maps
        their names to their class.

    Example:

    ```python
    problems = kerasverse.export.tfjs.check(model)
    for problem in problems:
        print(problem)
    for note in problems.notes:
        print(note)  # e.g. "layer `gru` (GRU, reset_after=True): supported via kerasverse-layers.js ..."
    ```
    """
    _, problems = model_topology(model)
    if problems and raise_error:
        raise UnsupportedModelError(problems, supported_layer_names())
    return problems
