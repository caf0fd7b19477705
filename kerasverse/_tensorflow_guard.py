"""Keep Keras from importing TensorFlow for checks that cannot involve it.

Keras 3 asks "is TensorFlow available?" before a few `isinstance` checks, and
its answer (`keras.src.utils.module_utils.tensorflow.available`) imports
TensorFlow whenever it is installed. Three such checks run on the paths every
JAX or PyTorch user takes:

- `keras.saving.serialize_keras_object` (every `model.save`, every
  `get_config` serialisation): "is this object a `tf.TensorShape`/`tf.DType`/
  `tf.TypeSpec`?";
- `keras.utils.set_random_seed`: "seed TensorFlow's generator too";
- `keras.distribution`'s dataset distribution: "is this a `tf.data.Dataset`?".

With TensorFlow installed next to JAX or PyTorch (the `[litert]` extra does
that), the first `model.save` or `set_random_seed` of a process then costs a
TensorFlow import: seconds, ~200k more objects for every later garbage
collection, and TensorFlow in a process kerasverse promises keeps it out of.

None of these checks can be true unless TensorFlow is already imported: no
object is a `tf.TensorShape` and no TensorFlow generator has state before
`tensorflow` is in `sys.modules`. `install()` gives those three Keras modules a
view of the lazy module whose `available` says exactly that; everything else
(attribute access, Keras' TensorFlow-only preprocessing layers, which need
`available` to import it) is unchanged. Once something imports TensorFlow,
the checks behave as in plain Keras.

`kerasverse/__init__.py` calls `install()`: at once when Keras is already
imported, otherwise right after Keras imports the module that holds the lazy
TensorFlow (an import hook that removes itself).

Example:

>>> import sys
>>> import keras
>>> from kerasverse import _tensorflow_guard
>>> _tensorflow_guard.install()
>>> keras.utils.set_random_seed(0)
>>> "tensorflow" in sys.modules
False
"""

import importlib.abc
import importlib.util
import sys

_MODULE_UTILS = "keras.src.utils.module_utils"
# The Keras modules whose `tf` global is only used for checks on objects
# that exist only once TensorFlow is imported.
_GUARDED = (
    "keras.src.saving.serialization_lib",
    "keras.src.utils.rng_utils",
    "keras.src.distribution.distribution_lib",
)


class ImportedTensorFlow:
    """A view of Keras' lazy `tensorflow` module that is `available` only
    when TensorFlow is already imported; attributes import it as before."""

    def __init__(self, lazy):
        self._lazy = lazy

    @property
    def available(self):
        return "tensorflow" in sys.modules and self._lazy.available

    def __getattr__(self, name):
        return getattr(self._lazy, name)

    def __repr__(self):
        return f"ImportedTensorFlow({self._lazy!r})"


def _guard_loaded_modules():
    module_utils = sys.modules.get(_MODULE_UTILS)
    lazy = getattr(module_utils, "tensorflow", None)
    if lazy is None:
        return
    for name in _GUARDED:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "tf", None) is lazy:
            module.tf = ImportedTensorFlow(lazy)


class _GuardAfterImport(importlib.abc.MetaPathFinder):
    """Guards each of `_GUARDED` right after Keras imports it."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in _GUARDED:
            return None
        # Let the other finders locate the module, then wrap its loader.
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module = loader.exec_module

        class GuardingLoader(importlib.abc.Loader):
            def create_module(self, spec):
                return loader.create_module(spec)

            def exec_module(self, module):
                exec_module(module)
                _guard_loaded_modules()
                if all(name in sys.modules for name in _GUARDED) and _HOOK in sys.meta_path:
                    sys.meta_path.remove(_HOOK)

            def __getattr__(self, name):  # get_source, get_filename, ...
                return getattr(loader, name)

        spec.loader = GuardingLoader()
        return spec


_HOOK = _GuardAfterImport()


def install():
    """Guards the Keras modules already imported and those imported later.

    Idempotent; does not import Keras.
    """
    _guard_loaded_modules()
    if all(name in sys.modules for name in _GUARDED):
        return
    if _HOOK not in sys.meta_path:
        sys.meta_path.insert(0, _HOOK)
