"""Every block of the AutoKeras surface: in a one-trial search it builds the layers it names,
trains, and the exported model predicts (image blocks, sequence blocks, the four TextBlock
types on raw strings, and the reductions, merge and normalization); EfficientNet by a
forward pass (see its test)."""

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits

import kerasverse.automl as ak
from kerasverse.automl.tasks.text_test import generated_text


def _layer_classes(model):
    return {type(layer).__name__ for layer in model._flatten_layers(include_self=False)}


def _search(tmp_path, inputs, outputs, x, y, **fit_kwargs):
    """One trial. Unless given, validation data is the last 32 rows, passed as `validation_data`:
    with whole batches and no final refit, a JAX test compiles each step function once."""
    if "validation_data" not in fit_kwargs:
        take = (lambda v, rows: [a[rows] for a in v]) if isinstance(x, list) else (lambda v, rows: v[rows])
        fit_kwargs["validation_data"] = (take(x, slice(-32, None)), take(y, slice(-32, None)))
        x, y = take(x, slice(None, -32)), take(y, slice(None, -32))
    model = ak.AutoModel(inputs, outputs, max_trials=1, directory=str(tmp_path), overwrite=True, seed=0)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, **fit_kwargs)
    board = model.leaderboard()
    assert list(board["status"]) == ["COMPLETED"], board
    return model


def _digits(n=96):
    x, y = load_digits(return_X_y=True)
    return (x[:n] / 16.0).reshape(-1, 8, 8, 1).astype("float32"), y[:n]


IMAGE_BLOCKS = {
    "conv": (lambda: ak.ConvBlock(num_blocks=1), "Conv2D"),
    "separable_conv": (lambda: ak.ConvBlock(num_blocks=1, separable=True), "SeparableConv2D"),
    "resnet": (lambda: ak.ResNetBlock(version="resnet8"), "Add"),
    "xception": (lambda: ak.XceptionBlock(), "SeparableConv2D"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(IMAGE_BLOCKS))
def test_image_block_builds_trains_and_predicts(name, tmp_path):
    make_block, expected_layer = IMAGE_BLOCKS[name]
    images, labels = _digits()
    image = ak.ImageInput()
    x = ak.ImageAugmentation(translation_factor=0.1, contrast_factor=0.1)(image) if name == "conv" else image
    output = ak.ClassificationHead()(make_block()(x))
    model = _search(tmp_path, image, output, images, labels)
    exported = model.export_model()
    assert expected_layer in _layer_classes(exported), sorted(_layer_classes(exported))
    predicted = model.predict(images[:16], verbose=0)
    assert predicted.shape == (16,) and set(predicted.tolist()) <= set(labels.tolist())
    assert np.issubdtype(predicted.dtype, np.integer)  # integers stay integers
    if name == "conv":  # augmentation layers are part of the model (inactive when predicting)
        assert {"RandomTranslation", "RandomContrast"} <= _layer_classes(exported)


def test_efficientnet_block_builds_offline_and_runs():
    """What the block adds to keras.applications' EfficientNetB0: small images resized to 32 px,
    one channel repeated to three, no top and no downloaded weights. A forward pass checks it;
    a training search would compile B0's training step under XLA for minutes on 2 cores, and
    that step is Keras' own code (the other image blocks' tests train)."""
    from kerasverse.tuner import HyperParameters

    images, _ = _digits(16)
    hp = HyperParameters()
    inputs = keras.Input((8, 8, 1))
    features = ak.EfficientNetBlock(version="b0").build(hp, [inputs])
    model = keras.Model(inputs, features)
    classes = _layer_classes(model)
    assert {"Resizing", "Concatenate", "DepthwiseConv2D"} <= classes, sorted(classes)
    output = keras.ops.convert_to_numpy(model(images))
    assert output.shape == (16, 1, 1, 1280) and np.isfinite(output).all()
    assert np.std(output) > 0  # untrained but not degenerate: different images, different features


@pytest.mark.parametrize("layer_type", ["lstm", "gru"])
def test_rnn_block_and_temporal_reduction(layer_type, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 10, 3)).astype("float32")
    y = x[:, :, 0].sum(axis=1)
    inputs = ak.Input()
    sequences = ak.RNNBlock(return_sequences=True, layer_type=layer_type, num_layers=1, bidirectional=False)(inputs)
    output = ak.RegressionHead()(ak.DenseBlock(num_layers=1)(ak.TemporalReduction(reduction_type="global_avg")(sequences)))
    model = _search(tmp_path, inputs, output, x, y)
    classes = _layer_classes(model.export_model())
    assert layer_type.upper() in classes and "GlobalAveragePooling1D" in classes, sorted(classes)
    assert model.predict(x[:16], verbose=0).shape == (16,)


def test_embedding_block_on_token_ids(tmp_path):
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 50, size=(96, 12))
    labels = (ids[:, 0] > 25).astype("int64")
    inputs = ak.Input()
    embedded = ak.Embedding(max_features=50, embedding_dim=16)(inputs)
    output = ak.ClassificationHead()(ak.SpatialReduction(reduction_type="global_max")(embedded))
    model = _search(tmp_path, inputs, output, ids, labels)
    exported = model.export_model()
    embedding = [layer for layer in exported._flatten_layers() if isinstance(layer, keras.layers.Embedding)]
    assert [tuple(layer.embeddings.shape) for layer in embedding] == [(50, 16)]


TEXT_LAYERS = {"vanilla": "Conv1D", "ngram": "NgramEmbedding", "transformer": "TransformerEncoder",
               "bert": "BertBackbone"}


@pytest.mark.slow
@pytest.mark.parametrize("block_type", sorted(TEXT_LAYERS))
def test_text_block_types_take_raw_strings(block_type, tmp_path):
    texts, labels = generated_text(0, n=160)  # numpy arrays: the last 32 rows validate
    text = ak.TextInput()
    output = ak.ClassificationHead()(ak.TextBlock(block_type=block_type)(text))
    model = _search(tmp_path, text, output, texts, labels)
    exported = model.export_model()
    assert isinstance(exported, ak.PreprocessedModel)
    assert TEXT_LAYERS[block_type] in _layer_classes(exported.model), sorted(_layer_classes(exported.model))
    probabilities = np.asarray(exported.predict(np.array(["a great superb film", "an awful dull film"]), verbose=0))
    assert probabilities.shape[0] == 2 and np.all((probabilities >= 0) & (probabilities <= 1))  # raw strings in
    assert set(model.predict(texts[:16], verbose=0).tolist()) <= {"pos", "neg"}  # strings stay strings


def test_merge_flatten_and_normalization_blocks(tmp_path):
    rng = np.random.default_rng(1)
    left = rng.normal(3.0, 5.0, size=(96, 4)).astype("float32")
    right = rng.normal(size=(96, 2, 3)).astype("float32")
    y = left[:, 0] - right[:, 0, 0]
    a, b = ak.Input(), ak.Input()
    merged = ak.Merge(merge_type="add")([ak.DenseBlock(num_layers=1, num_units=8)(ak.Normalization()(a)),
                                          ak.DenseBlock(num_layers=1, num_units=8)(ak.Flatten()(b))])
    # Validation data given: the training rows are exactly `left`, which Normalization adapts on.
    model = _search(tmp_path, [a, b], ak.RegressionHead()(merged), [left, right], y,
                    validation_data=([left[:16], right[:16]], y[:16]))
    exported = model.export_model()
    classes = _layer_classes(exported)
    assert {"Normalization", "Flatten", "Add"} <= classes, sorted(classes)
    normalization = next(layer for layer in exported._flatten_layers() if type(layer).__name__ == "Normalization")
    np.testing.assert_allclose(np.ravel(normalization.mean), left.mean(axis=0), rtol=1e-4)  # adapted on the data
