"""`ModelSource`: where a model's versions come from (the extension point for other stores)."""

import abc
import os


class ModelSource(abc.ABC):
    """Lists the versions of one model and where each one's folder is.

    `list_versions()` is called at every poll; the manager then loads new
    versions with `kerasverse.serving.loader.load_version(path)`.

    Example:

    ```python
    class OneFolder(ModelSource):
        def list_versions(self):
            return {1: "/models/digits/1"}
    ```
    """

    @abc.abstractmethod
    def list_versions(self) -> dict[int, str]:
        """`{version: version folder}` for every version that exists now (complete or not)."""


class FileSystemModelSource(ModelSource):
    """Numeric subfolders of a base folder (`DIR/1/`, `DIR/1733400000/`), as TF Serving reads them.

    Folders whose name is not all digits (such as the Pusher's `.tmp-*`) are
    ignored.

    Args:
        base_path: the model's base folder.
    """

    def __init__(self, base_path: str):
        self.base_path = os.path.abspath(os.path.expanduser(base_path))

    def list_versions(self) -> dict[int, str]:
        try:
            names = os.listdir(self.base_path)
        except OSError:
            return {}
        versions = {}
        for name in names:
            path = os.path.join(self.base_path, name)
            if name.isdigit() and name.isascii() and os.path.isdir(path):
                versions[int(name)] = path
        return versions
