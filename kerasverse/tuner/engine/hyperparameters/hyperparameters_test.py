import pytest

from kerasverse.tuner.engine.hyperparameters import Boolean
from kerasverse.tuner.engine.hyperparameters import Choice
from kerasverse.tuner.engine.hyperparameters import Fixed
from kerasverse.tuner.engine.hyperparameters import Float
from kerasverse.tuner.engine.hyperparameters import HyperParameters
from kerasverse.tuner.engine.hyperparameters import Int
from kerasverse.tuner.engine.hyperparameters import deserialize
from kerasverse.tuner.engine.hyperparameters import serialize


def _samples(hp, n=400):
    return {hp.prob_to_value(i / n) for i in range(n)}


def test_int_includes_max_and_respects_step():
    assert _samples(Int("a", 6, 12)) == set(range(6, 13))
    hp = Int("a", 6, 13, step=3)
    assert list(hp.values) == [6, 9, 12]
    assert _samples(hp) == {6, 9, 12}
    assert Int("a", 2, 32, step=2, sampling="log").values == (2, 4, 8, 16, 32)
    assert Int("a", 1, 5).default == 1
    assert isinstance(Int("a", 1, 5).random_sample(0), int)


def test_float_is_inclusive_with_step_and_log():
    hp = Float("f", 0, 1, step=0.2)
    assert [round(v, 6) for v in hp.values] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert max(_samples(hp)) == pytest.approx(1.0)
    log = Float("lr", 0.001, 10, step=10, sampling="log")
    assert [round(v, 8) for v in log.values] == [0.001, 0.01, 0.1, 1.0, 10.0]
    # Log sampling: half the probability mass below the geometric mean.
    continuous = Float("lr", 1e-4, 1.0, sampling="log")
    assert continuous.prob_to_value(0.5) == pytest.approx(1e-2)
    assert continuous.value_to_prob(1e-2) == pytest.approx(0.5)
    # reverse_log concentrates values near max_value.
    reverse = Float("m", 0.1, 1.0, sampling="reverse_log")
    assert reverse.prob_to_value(0.5) == pytest.approx(1.1 - 0.1 * 10**0.5)
    assert reverse.value_to_prob(reverse.prob_to_value(0.3)) == pytest.approx(0.3)


def test_prob_round_trip_for_every_type():
    for hp in (Int("i", 0, 10), Int("j", 1, 64, step=2, sampling="log"), Float("f", -1, 3),
               Choice("c", ["a", "b", "c"]), Boolean("b"), Float("s", 0, 1, step=0.25)):
        for value in (hp.prob_to_value(p) for p in (0.05, 0.4, 0.77, 0.99)):
            assert hp.prob_to_value(hp.value_to_prob(value)) == pytest.approx(value)


def test_invalid_ranges_raise_clear_errors():
    with pytest.raises(ValueError, match="min_value` must be <= `max_value`.*Received: min_value=5"):
        Int("a", 5, 1)
    with pytest.raises(ValueError, match="needs `min_value` > 0.*Received: min_value=0"):
        Float("a", 0, 1, sampling="log")
    with pytest.raises(ValueError, match="step` is larger than the range.*Received: step=10"):
        Int("a", 0, 5, step=10)
    with pytest.raises(ValueError, match="expected step > 1"):
        Int("a", 1, 8, step=1, sampling="log")
    with pytest.raises(ValueError, match="sampling` must be one of"):
        Float("a", 0, 1, sampling="exp")
    with pytest.raises(ValueError, match="must be an int. Received: min_value=0.5"):
        Int("a", 0.5, 3)


def test_choice_ordering_defaults_and_errors():
    assert Choice("c", [1, 2, 3]).ordered is True
    assert Choice("c", ["a", "b"]).ordered is False
    assert Choice("c", ["a", "b"], default="b").default == "b"
    with pytest.raises(ValueError, match="ordered` must be False"):
        Choice("c", ["a", "b"], ordered=True)
    with pytest.raises(ValueError, match="must be one of its values"):
        Choice("c", [1, 2], default=3)
    with pytest.raises(TypeError, match="must all be int/float, all str or all bool"):
        Choice("c", [1, "a"])


def test_boolean_and_fixed():
    assert Boolean("b").default is False
    assert {Boolean("b").prob_to_value(p) for p in (0.1, 0.9)} == {False, True}
    with pytest.raises(TypeError, match="must be a bool"):
        Boolean("b", default=1)
    assert Fixed("f", "adam").random_sample() == "adam"
    with pytest.raises(ValueError, match="must be a bool, int, float, str or None"):
        Fixed("f", [1])


def test_declaration_returns_defaults_and_registers():
    hp = HyperParameters()
    assert hp.Int("units", 8, 64, step=8) == 8
    assert hp.Float("lr", 1e-3, 1e-1, default=0.01) == 0.01
    assert hp.Choice("act", ["relu", "tanh"]) == "relu"
    assert hp.Boolean("bias") is False
    assert hp.Fixed("opt", "adam") == "adam"
    assert [h.name for h in hp.space] == ["units", "lr", "act", "bias", "opt"]
    assert hp.values == {"units": 8, "lr": 0.01, "act": "relu", "bias": False, "opt": "adam"}
    # Declaring again returns the current value, not a new default.
    hp.values["units"] = 32
    assert hp.Int("units", 8, 64, step=8) == 32
    assert "units" in hp and "nope" not in hp


def test_redeclaring_with_another_type_raises():
    hp = HyperParameters()
    hp.Int("units", 1, 4)
    with pytest.raises(ValueError, match="declared as Int and is now re-declared as Float"):
        hp.Float("units", 1, 4)


def test_conditional_scope_semantics():
    hp = HyperParameters()
    model_type = hp.Choice("model_type", ["mlp", "cnn"])
    assert model_type == "mlp"
    with hp.conditional_scope("model_type", ["mlp"]):
        assert hp.Int("layers", 1, 3) == 1
    with hp.conditional_scope("model_type", ["cnn"]):
        assert hp.Int("filters", 8, 64) is None
    assert hp.get("layers") == 1
    with pytest.raises(ValueError, match="filters is currently inactive"):
        hp.get("filters")
    with pytest.raises(KeyError, match="missing does not exist"):
        hp["missing"]
    assert "filters" not in hp
    assert hp.is_active("layers") and not hp.is_active("filters")
    with pytest.raises(ValueError, match="`HyperParameter` named: unknown not defined"):
        with hp.conditional_scope("unknown", [1]):
            pass
    # parent_name/parent_values arguments are the same as a scope.
    assert hp.Int("depth", 1, 3, parent_name="model_type", parent_values=["cnn"]) is None


def test_name_scope_prefixes_names():
    hp = HyperParameters()
    with hp.name_scope("block1"):
        hp.Int("units", 1, 4)
        assert hp.get("units") == 1
    assert "block1/units" in hp.values


def test_copy_merge_and_config_round_trip():
    hp = HyperParameters()
    hp.Choice("a", [1, 2])
    with hp.conditional_scope("a", [2]):
        hp.Float("b", 0, 1)
    restored = HyperParameters.from_config(hp.get_config())
    assert restored.get_config() == hp.get_config()
    assert restored.space[1].conditions[0].values == [2]
    copied = hp.copy()
    copied.values["a"] = 2
    assert hp.values["a"] == 1
    other = HyperParameters()
    other.Int("c", 0, 3, default=2)
    hp.merge(other)
    assert hp.get("c") == 2 and len(hp.space) == 3
    config = serialize(Int("x", 0, 9, step=3))
    assert config["class_name"] == "Int"
    assert deserialize(config) == Int("x", 0, 9, step=3)


def test_fixed_beforehand_pins_a_later_declaration():
    # keras_tuner's "fix a few and tune the rest": hp.Fixed, then the
    # hypermodel declares the same name with another type.
    hp = HyperParameters()
    hp.Fixed("learning_rate", 1e-4)
    assert hp.Float("learning_rate", 1e-3, 1e-1, sampling="log") == 1e-4
    assert hp.Int("learning_rate", 1, 4) == 1e-4
    assert len(hp.space) == 1 and hp.space[0].__class__.__name__ == "Fixed"


def test_given_entry_of_another_type_wins_as_in_keras_tuner():
    # The tuner's `hyperparameters=` override (Float) reaches build's Choice.
    given = HyperParameters()
    given.Float("learning_rate", 1e-4, 1e-2, sampling="log")
    trial_hp = given.copy()
    trial_hp.values["learning_rate"] = 0.0042
    assert trial_hp.Choice("learning_rate", [1e-2, 1e-3]) == 0.0042
    assert [type(p).__name__ for p in trial_hp.space] == ["Float"]
    # Our check still holds for two declarations in one container.
    trial_hp.Int("units", 1, 4)
    with pytest.raises(ValueError, match="declared as Int and is now re-declared as Choice"):
        trial_hp.Choice("units", [1, 2])
