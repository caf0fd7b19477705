"""Which optional capabilities are installed, found without importing them.

`kerasverse info` prints this table. Finding a package uses
`importlib.util.find_spec` and package metadata only, so checking for the
LiteRT capability never imports TensorFlow.
"""

import dataclasses
import importlib.metadata
import importlib.util
import shutil
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Capability:
    """One optional capability and what it needs.

    Args:
        name: short name shown by `kerasverse info`.
        description: what it enables.
        modules: importable top-level modules it needs.
        install: the command that installs what is missing.
    """

    name: str
    description: str
    modules: tuple
    install: str

    def missing(self):
        """The modules of `modules` that cannot be found."""
        return [m for m in self.modules if importlib.util.find_spec(m) is None]

    def installed(self):
        return not self.missing()


CAPABILITIES = (
    Capability("jax", "JAX backend", ("jax", "jaxlib"), "pip install 'jax[cpu]'"),
    Capability("torch", "PyTorch backend", ("torch",), "pip install 'kerasverse[torch]'"),
    Capability("tuner", "tuner study storage (SQLite)", ("sqlalchemy",), "pip install 'kerasverse[tuner]'"),
    Capability("postgres", "tuner storage on PostgreSQL", ("sqlalchemy", "psycopg"), "pip install 'kerasverse[postgres]'"),
    Capability("ray", "tuner trials on a Ray cluster", ("ray",), "pip install 'kerasverse[ray]'"),
    Capability("nlp", "tokenizers and HF checkpoints", ("tokenizers", "sentencepiece", "safetensors"), "pip install 'kerasverse[nlp]'"),
    Capability("onnx", "ONNX export and runner", ("onnx", "onnxruntime"), "pip install 'kerasverse[onnx]'"),
    Capability("litert", "LiteRT export and runner (brings TensorFlow)", ("tensorflow", "ai_edge_litert"), "pip install 'kerasverse[litert]'"),
)


def package_version(distribution):
    """Installed version of a distribution, or None."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def tfjs_runtime():
    """Node.js and the `@tensorflow/tfjs` package under `js/`, if present.

    Returns:
        A dict with `node` (path or None) and `tfjs` (version or None).
    """
    node = shutil.which("node")
    package = Path(__file__).resolve().parent.parent / "js" / "node_modules" / "@tensorflow" / "tfjs" / "package.json"
    version = None
    if package.exists():
        import json

        version = json.loads(package.read_text()).get("version")
    return {"node": node, "tfjs": version}
