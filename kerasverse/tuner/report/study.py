"""`load_study`: open a saved study for reports and analysis."""

import os

from kerasverse.tuner import errors
from kerasverse.tuner.engine.oracle import Oracle
from kerasverse.tuner.storage import STUDY_FILENAME
from kerasverse.tuner.storage import SQLStorage


class _ReadOnlyOracle(Oracle):
    def populate_space(self, trial_id):
        raise RuntimeError("A loaded study is read-only: it cannot create trials.")


def load_study(path_or_url, project_name=None, objective=None):
    """An oracle holding the trials of a saved study.

    Args:
        path_or_url: A project directory (containing `study.db`) or an
            SQLAlchemy URL.
        project_name: The study name; default: the directory's name, or the
            only study at the URL.
        objective: The objective's direction is read from the trials; pass an
            `Objective` to override it.
    """
    if "://" in str(path_or_url):
        storage = SQLStorage(str(path_or_url))
        names = storage.study_names()
    else:
        path = os.path.join(str(path_or_url), STUDY_FILENAME)
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"No study found: {path} does not exist. Pass a tuner's project directory "
                f"(`directory/project_name`). Received: {path_or_url!r}"
            )
        storage = SQLStorage(f"sqlite:///{os.path.abspath(path)}")
        names = storage.study_names()
        if project_name is None:
            base = os.path.basename(os.path.normpath(str(path_or_url)))
            project_name = base if base in names else None
    if project_name is None:
        if len(names) != 1:
            raise ValueError(
                f"Pass `project_name`: the storage holds {len(names)} studies: {names}."
            )
        project_name = names[0]
    if project_name not in names:
        raise errors.StudyStorageError(
            f"No study named {project_name!r} in the storage. Studies there: {names}."
        )
    oracle = _ReadOnlyOracle(objective=objective)
    oracle._set_storage(storage, project_name)
    oracle.project_name = project_name
    if objective is None:
        oracle.objective = _objective_from_trials(oracle)
    return oracle


def _objective_from_trials(oracle):
    from kerasverse.tuner.engine.objective import Objective
    from kerasverse.tuner.engine.objective import create_objective

    stored = getattr(oracle, "_stored_objective", None)
    if stored:
        return create_objective(stored)
    return Objective("default_objective", "min")
