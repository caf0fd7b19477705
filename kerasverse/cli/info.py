"""`kerasverse info`: versions, backend and installed capabilities."""

from kerasverse import capabilities
from kerasverse._backend import ensure_backend
from kerasverse.version import __version__


def register(subparsers):
    parser = subparsers.add_parser(
        "info",
        help="print versions, the Keras backend and which optional capabilities are installed",
    )
    parser.set_defaults(func=run)


def collect():
    """Returns the facts `kerasverse info` prints, as a dict."""
    choice = ensure_backend()  # Before Keras is imported.
    import keras  # Imported here: `kerasverse --help` stays fast.

    rows = []
    for capability in capabilities.CAPABILITIES:
        missing = capability.missing()
        rows.append(
            {
                "name": capability.name,
                "description": capability.description,
                "installed": not missing,
                "missing": missing,
                "install": capability.install,
            }
        )
    return {
        "kerasverse": __version__,
        "keras": keras.__version__,
        "backend": keras.config.backend(),
        "backend_source": choice.describe(),
        "capabilities": rows,
        "tfjs_runtime": capabilities.tfjs_runtime(),
    }


def run(args):
    facts = collect()
    print(f"kerasverse {facts['kerasverse']}")
    print(f"keras      {facts['keras']}")
    print(f"backend    {facts['backend']} (from {facts['backend_source']})")
    print()
    width = max(len(r["name"]) for r in facts["capabilities"])
    for row in facts["capabilities"]:
        if row["installed"]:
            status = "installed"
        else:
            status = f"missing {', '.join(row['missing'])}: {row['install']}"
        print(f"  {row['name']:<{width}}  {row['description']:<46} {status}")
    runtime = facts["tfjs_runtime"]
    if runtime["node"] and runtime["tfjs"]:
        status = f"installed (node {runtime['node']}, @tensorflow/tfjs {runtime['tfjs']})"
    elif not runtime["node"]:
        status = "missing node: apt-get install nodejs npm"
    else:
        status = "missing @tensorflow/tfjs: npm ci --prefix js"
    print(f"  {'tfjs':<{width}}  {'TF.js verification in Node':<46} {status}")
