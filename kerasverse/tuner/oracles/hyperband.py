"""`HyperbandOracle`: brackets of successive halving over random trials."""

import math

from kerasverse.tuner.engine import oracle as oracle_module
from kerasverse.tuner.engine.trial import TrialStatus


class HyperbandOracle(oracle_module.Oracle):
    """Hyperband (Li et al., JMLR 2018), as in keras_tuner.

    Each bracket starts random trials for a few epochs and promotes the best
    `1/factor` of them to train longer (resuming from their checkpoint). The
    trials carry `tuner/epochs`, `tuner/initial_epoch`, `tuner/bracket`,
    `tuner/round` and, for promoted ones, `tuner/trial_id` (the trial whose
    weights they continue).

    Args:
        objective: A metric name, an `Objective` or a list of them.
        max_epochs: The most epochs any model is trained for.
        factor: The reduction factor of epochs and trial counts (>= 2).
        hyperband_iterations: How many times the whole algorithm runs.
        seed, hyperparameters, allow_new_entries, tune_new_entries,
        max_retries_per_trial, max_consecutive_failed_trials: see `Oracle`.

    Example:

    ```python
    oracle = HyperbandOracle("val_loss", max_epochs=9, factor=3)
    ```
    """

    def __init__(
        self,
        objective=None,
        max_epochs=100,
        factor=3,
        hyperband_iterations=1,
        seed=None,
        hyperparameters=None,
        allow_new_entries=True,
        tune_new_entries=True,
        max_retries_per_trial=0,
        max_consecutive_failed_trials=3,
    ):
        super().__init__(
            objective=objective,
            hyperparameters=hyperparameters,
            allow_new_entries=allow_new_entries,
            tune_new_entries=tune_new_entries,
            seed=seed,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
        )
        if not isinstance(factor, int) or factor < 2:
            raise ValueError(f"`factor` must be an int >= 2. Received: factor={factor!r}")
        if not isinstance(max_epochs, int) or max_epochs < 1:
            raise ValueError(
                f"`max_epochs` must be a positive int. Received: max_epochs={max_epochs!r}"
            )
        if hyperband_iterations < 1:
            raise ValueError(
                "`hyperband_iterations` must be >= 1. "
                f"Received: hyperband_iterations={hyperband_iterations!r}"
            )
        self.max_epochs = max_epochs
        self.min_epochs = 1
        self.factor = factor
        self.hyperband_iterations = hyperband_iterations
        self._current_iteration = 0
        self._current_bracket = self._get_num_brackets() - 1
        self._brackets = []
        self._start_new_bracket()

    def populate_space(self, trial_id):
        self._remove_completed_brackets()
        for bracket in self._brackets:
            bracket_num = bracket["bracket_num"]
            rounds = bracket["rounds"]
            if len(rounds[0]) < self._get_size(bracket_num, 0):
                return self._random_trial(trial_id, bracket)
            for round_num in range(1, len(rounds)):
                round_info = rounds[round_num]
                past_round_info = rounds[round_num - 1]
                size = self._get_size(bracket_num, round_num)
                past_size = self._get_size(bracket_num, round_num - 1)
                already_selected = {info["past_id"] for info in round_info}
                candidates = [
                    self.trials[info["id"]]
                    for info in past_round_info
                    if info["id"] not in already_selected and info["id"] in self.trials
                ]
                candidates = [
                    t for t in candidates
                    if t.status == TrialStatus.COMPLETED and t.score is not None
                ]
                if len(candidates) > past_size - size:
                    best = sorted(
                        candidates, key=lambda t: t.score,
                        reverse=self.objective.direction == "max",
                    )[0]
                    values = dict(best.hyperparameters.values)
                    values["tuner/trial_id"] = best.trial_id
                    values["tuner/epochs"] = self._get_epochs(bracket_num, round_num)
                    values["tuner/initial_epoch"] = self._get_epochs(bracket_num, round_num - 1)
                    values["tuner/bracket"] = self._current_bracket
                    values["tuner/round"] = round_num
                    round_info.append({"past_id": best.trial_id, "id": trial_id})
                    return {"status": TrialStatus.RUNNING, "values": values}
        if self._current_bracket == 0 and self._current_iteration + 1 >= self.hyperband_iterations:
            if any(t.status == TrialStatus.RUNNING for t in self.trials.values()):
                return {"status": TrialStatus.IDLE}
            return {"status": TrialStatus.STOPPED}
        self._increment_bracket_num()
        self._start_new_bracket()
        return self._random_trial(trial_id, self._brackets[-1])

    def _start_new_bracket(self):
        rounds = [[] for _ in range(self._get_num_rounds(self._current_bracket))]
        self._brackets.append({"bracket_num": self._current_bracket, "rounds": rounds})

    def _increment_bracket_num(self):
        self._current_bracket -= 1
        if self._current_bracket < 0:
            self._current_bracket = self._get_num_brackets() - 1
            self._current_iteration += 1

    def _remove_completed_brackets(self):
        def incomplete(bracket):
            last = len(bracket["rounds"]) - 1
            return len(bracket["rounds"][last]) != self._get_size(bracket["bracket_num"], last)

        self._brackets = [b for b in self._brackets if incomplete(b)]

    def _random_trial(self, trial_id, bracket):
        bracket_num = bracket["bracket_num"]
        values = self._random_values()
        if values is None:
            if any(t.status == TrialStatus.RUNNING for t in self.trials.values()):
                return {"status": TrialStatus.IDLE}
            return {"status": TrialStatus.STOPPED}
        values["tuner/epochs"] = self._get_epochs(bracket_num, 0)
        values["tuner/initial_epoch"] = 0
        values["tuner/bracket"] = self._current_bracket
        values["tuner/round"] = 0
        bracket["rounds"][0].append({"past_id": None, "id": trial_id})
        return {"status": TrialStatus.RUNNING, "values": values}

    def _get_size(self, bracket_num, round_num):
        bracket0_end_size = math.ceil(1 + math.log(self.max_epochs, self.factor))
        bracket_end_size = bracket0_end_size / (bracket_num + 1)
        return math.ceil(bracket_end_size * self.factor ** (bracket_num - round_num))

    def _get_epochs(self, bracket_num, round_num):
        return math.ceil(self.max_epochs / self.factor ** (bracket_num - round_num))

    def _get_num_rounds(self, bracket_num):
        return bracket_num + 1

    def _get_num_brackets(self):
        epochs, brackets = self.max_epochs, 0
        while epochs >= self.min_epochs:
            epochs = epochs / self.factor
            brackets += 1
        return brackets

    def get_state(self):
        state = super().get_state()
        state.update(
            hyperband_iterations=self.hyperband_iterations,
            max_epochs=self.max_epochs,
            min_epochs=self.min_epochs,
            factor=self.factor,
            brackets=self._brackets,
            current_bracket=self._current_bracket,
            current_iteration=self._current_iteration,
        )
        return state

    def set_state(self, state):
        super().set_state(state)
        self.hyperband_iterations = state["hyperband_iterations"]
        self.max_epochs = state["max_epochs"]
        self.min_epochs = state["min_epochs"]
        self.factor = state["factor"]
        self._brackets = state["brackets"]
        self._current_bracket = state["current_bracket"]
        self._current_iteration = state["current_iteration"]
