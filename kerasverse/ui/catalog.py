"""`Catalog`: what `kerasverse ui ROOT...` shows — found under its roots.

A root is a folder (searched for tuner projects, i.e. folders holding a
`study.db`, and for pipeline roots holding a metadata store), a `.db` file, or
an SQLAlchemy URL (a tuner study database, e.g. PostgreSQL). Folders are
searched again on every overview page, so a search started after the UI
shows up without a restart.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from kerasverse.ui.study_source import StoreError
from kerasverse.ui.study_source import StudyRef
from kerasverse.ui.study_source import StudySource
from kerasverse.ui.study_source import sqlite_url

STUDY_FILENAME = "study.db"
MAX_DEPTH = 4
SKIPPED_FOLDERS = {".git", ".venv", "node_modules", "__pycache__", ".venv-bench"}


def _walk(root: str, max_depth: int = MAX_DEPTH) -> Iterable[tuple[str, list[str]]]:
    root = os.path.abspath(root)
    base_depth = root.rstrip(os.sep).count(os.sep)
    for folder, subfolders, files in os.walk(root):
        depth = folder.rstrip(os.sep).count(os.sep) - base_depth
        subfolders[:] = sorted(
            d for d in subfolders if d not in SKIPPED_FOLDERS and not d.startswith(".tmp")
        )
        if depth >= max_depth:
            subfolders[:] = []
        yield folder, files


class Catalog:
    """The stores under the UI's roots.

    Args:
        roots: Folders, study `.db` files or SQLAlchemy URLs.
        server_urls: Base URLs of running `kerasverse serve` servers.
    """

    def __init__(self, roots: Iterable[str] = (), server_urls: Iterable[str] = ()):
        self.roots = [str(r) for r in roots] or [os.getcwd()]
        self.server_urls = [u.rstrip("/") for u in server_urls]
        self._study_sources: dict[str, StudySource] = {}
        self.problems: list[str] = []

    def _study_source(self, url: str, label: str) -> StudySource:
        source = self._study_sources.get(url)
        if source is None:
            source = self._study_sources[url] = StudySource(url, label)
        return source

    def study_sources(self) -> list[StudySource]:
        """Finds the study databases under the roots (again, each call)."""
        found, problems = [], []
        for root in self.roots:
            if "://" in root:
                found.append(self._study_source(root, root))
            elif os.path.isfile(root):
                found.append(self._study_source(sqlite_url(root), os.path.dirname(root) or root))
            elif os.path.isdir(root):
                for folder, files in _walk(root):
                    if STUDY_FILENAME in files:
                        label = os.path.relpath(folder, os.path.dirname(os.path.abspath(root)))
                        found.append(self._study_source(sqlite_url(os.path.join(folder, STUDY_FILENAME)), label))
            else:
                problems.append(f"{root}: no such file or folder.")
        self.problems = problems
        return found

    def studies(self) -> list[tuple[StudySource, StudyRef | None, str | None]]:
        """(source, study, error) triples: one per study, or one with the
        error for a store that cannot be read."""
        rows = []
        for source in self.study_sources():
            try:
                for ref in source.studies():
                    rows.append((source, ref, None))
            except StoreError as error:
                rows.append((source, None, str(error)))
        return rows

    def find_study(self, key: str) -> tuple[StudySource, StudyRef]:
        for source, ref, _ in self.studies():
            if ref is not None and ref.key == key:
                return source, ref
        raise KeyError(key)
