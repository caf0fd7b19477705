"""AutoKeras 3.0's own guides with only the import changed (docs/py/multi.py and the customized
search spaces of docs/py/image_classification.py), on generated data and small budgets."""

import numpy as np

import kerasverse.automl as ak  # was: import autokeras as ak


def test_multi_modal_multi_task_guide(tmp_path):
    rng = np.random.default_rng(0)
    num_instances = 10
    image_data = rng.random((num_instances, 32, 32, 3)).astype(np.float32)
    numerical_data = rng.random((num_instances, 20)).astype(np.float32)
    regression_target = rng.random((num_instances, 1)).astype(np.float32)
    classification_target = rng.integers(5, size=num_instances)

    # Heads given without a graph: AutoModel fills in a block per input and a merge.
    model = ak.AutoModel(
        inputs=[ak.ImageInput(), ak.Input()],
        outputs=[ak.RegressionHead(metrics=["mae"]),
                 ak.ClassificationHead(loss="categorical_crossentropy", metrics=["accuracy"])],
        overwrite=True, max_trials=1, directory=str(tmp_path / "heads_only"),
    )
    model.fit([image_data, numerical_data], [regression_target, classification_target], epochs=1, batch_size=3,
              verbose=0)
    split = 5
    model.fit([image_data[:split], numerical_data[:split]], [regression_target[:split], classification_target[:split]],
              validation_data=([image_data[split:], numerical_data[split:]],
                               [regression_target[split:], classification_target[split:]]),
              epochs=1, batch_size=3, verbose=0)
    values, labels = model.predict([image_data, numerical_data], verbose=0)
    assert values.shape == (num_instances, 1) and set(labels.tolist()) <= set(range(5))

    # The guide's customized search space: ResNetBlock(version="v2") is AutoKeras' family name.
    input_node1 = ak.ImageInput()
    output_node = ak.Normalization()(input_node1)
    output_node = ak.ImageAugmentation()(output_node)
    output_node1 = ak.ConvBlock()(output_node)
    output_node2 = ak.ResNetBlock(version="v2")(output_node)
    output_node1 = ak.Merge()([output_node1, output_node2])
    input_node2 = ak.Input()
    output_node2 = ak.DenseBlock()(input_node2)
    output_node = ak.Merge()([output_node1, output_node2])
    output_node1 = ak.ClassificationHead()(output_node)
    output_node2 = ak.RegressionHead()(output_node)
    auto_model = ak.AutoModel(inputs=[input_node1, input_node2], outputs=[output_node1, output_node2],
                              overwrite=True, max_trials=1, directory=str(tmp_path / "custom"))
    auto_model.fit([image_data, numerical_data], [classification_target, regression_target], batch_size=3, epochs=1,
                   verbose=0)
    trial = auto_model.tuner.oracle.get_best_trials(1)[0]
    versions = [value for name, value in trial.hyperparameters.values.items() if name.endswith("/version")]
    assert versions and all(v.endswith("_v2") for v in versions), trial.hyperparameters.values


def test_image_guide_customized_search_spaces(tmp_path):
    rng = np.random.default_rng(1)
    x_train = (rng.random((40, 8, 8)) * 255).astype("uint8")  # MNIST-like: no channel axis, uint8
    y_train = rng.integers(0, 3, size=40).astype("uint8")
    input_node = ak.ImageInput()
    output_node = ak.ImageBlock(block_type="resnet", normalize=True, augment=False)(input_node)
    output_node = ak.ClassificationHead()(output_node)
    clf = ak.AutoModel(inputs=input_node, outputs=output_node, overwrite=True, max_trials=1,
                       directory=str(tmp_path / "image_block"))
    clf.fit(x_train, y_train, epochs=1, verbose=0)
    predicted = clf.predict(x_train[:4], verbose=0)
    assert predicted.dtype == np.uint8 and set(predicted.tolist()) <= {0, 1, 2}

    input_node = ak.ImageInput()
    output_node = ak.Normalization()(input_node)
    output_node = ak.ImageAugmentation(horizontal_flip=False)(output_node)
    output_node = ak.ResNetBlock(version="v2")(output_node)
    output_node = ak.ClassificationHead()(output_node)
    clf = ak.AutoModel(inputs=input_node, outputs=output_node, overwrite=True, max_trials=1,
                       directory=str(tmp_path / "fine_grained"))
    clf.fit(x_train, np.eye(3)[y_train], epochs=1, verbose=0)  # one-hot labels, as the guide's last part
    one_hot = clf.predict(x_train[:4], verbose=0)
    assert one_hot.shape == (4, 3) and (one_hot.sum(axis=1) == 1).all()


def test_text_guide_fits_again_with_other_splits(tmp_path):
    from kerasverse.automl.tasks.text_test import generated_text

    texts, labels = generated_text(0, n=200)
    # sklearn's load_files (the guide's IMDB loader) gives bytes.
    x_train = np.array([t.encode() for t in texts[:100]])
    y_train = (np.asarray(labels[:100]) == "pos").astype("int64")
    x_test, y_test = np.array(texts[100:]), (np.asarray(labels[100:]) == "pos").astype("int64")
    clf = ak.TextClassifier(overwrite=True, max_trials=1, directory=str(tmp_path))
    clf.fit(x_train, y_train, epochs=1, batch_size=2, verbose=0)
    vocabulary = list(clf.inputs[0].encoder.vocabulary)
    # The guide fits the same classifier again: other splits, the same search and vocabulary.
    clf.fit(x_train, y_train, validation_split=0.15, epochs=1, batch_size=2, verbose=0)
    split = 5
    clf.fit(x_train[:split], y_train[:split], epochs=1, validation_data=(x_train[split:], y_train[split:]),
            batch_size=2, verbose=0)
    assert list(clf.inputs[0].encoder.vocabulary) == vocabulary
    assert len(clf.tuner.oracle.trials) == 1
    assert clf.evaluate(x_test, y_test, verbose=0)[1] > 0.5
