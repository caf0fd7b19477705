"""TextClassifier: raw strings in and out, the tokenizer learned on the training split only."""

import keras
import numpy as np
import pytest

import kerasverse.automl as ak


def generated_text(seed, n=400):
    rng = np.random.default_rng(seed)
    positive, negative = ["great", "superb", "lovely"], ["awful", "dull", "boring"]
    filler = [f"word{i}" for i in range(100)]
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        words = list(rng.choice(filler, 8)) + list(rng.choice(positive if label else negative, 2))
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append("pos" if label else "neg")
    return np.array(texts), np.array(labels)


@pytest.fixture(scope="module")
def text_classifier(tmp_path_factory):
    x, y = generated_text(0)
    clf = ak.TextClassifier(max_trials=1, overwrite=True, seed=0, directory=str(tmp_path_factory.mktemp("text")))
    clf.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
    return clf


def test_default_text_classifier_learns_in_a_few_epochs(text_classifier):
    x_test, y_test = generated_text(1, n=200)
    predicted = text_classifier.predict(x_test, verbose=0)
    assert predicted.dtype.kind == "U" and set(predicted) <= {"pos", "neg"}
    assert (predicted == y_test).mean() > 0.9


def test_tokenizer_never_sees_validation_rows(text_classifier):
    # The validation rows are the permutation's first 20% (seed 0): a word that
    # only they hold must not be in the vocabulary learned for the model.
    x, _ = generated_text(0)
    order = np.random.default_rng(0).permutation(len(x))
    train_words = {w for text in x[np.sort(order[80:])] for w in text.split()}
    val_only = {w for text in x[order[:80]] for w in text.split()} - train_words
    vocabulary = set(text_classifier.inputs[0].encoder.vocabulary)
    assert not (val_only & vocabulary)


def test_exported_text_model_takes_strings_and_round_trips(text_classifier, tmp_path):
    exported = text_classifier.export_model()
    texts = ["word1 great superb word2", "dull word3 boring"]
    probabilities = exported.predict(np.array(texts), verbose=0)
    assert probabilities.shape == (2, 1) and probabilities[0, 0] > 0.5 > probabilities[1, 0]
    path = str(tmp_path / "text.keras")
    exported.save(path)
    loaded = keras.saving.load_model(path, custom_objects=ak.CUSTOM_OBJECTS)
    np.testing.assert_allclose(loaded.predict(np.array(texts), verbose=0), probabilities, atol=1e-5)
