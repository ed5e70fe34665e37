"""Scoring every kind of saved character model (nnrec.classifiers, `nnrec evaluate`).

The four the pipeline writes: the Q3 MLP (raw pixel rows), the OCR reader MLP (its own deskew /
HOG / standardisation, from its meta), and the PyTorch fc and cnn networks. Each is scored on a
.mat whose labels are the model's own predictions with a known number changed, so the expected
accuracy is exact. Broken model and data files are in test_bad_inputs.py.
"""

import os

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # unit tests run on the CPU (see test_torch.py)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy.io import savemat  # noqa: E402

from nnrec import DataError, charset, classifiers, cli, model_file, nn  # noqa: E402


def glyph_rows(n, seed=0):
    """(n, 1024) rows in 0-1 with a random bar per row: ink for HOG to see, white elsewhere."""
    rng = np.random.default_rng(seed)
    images = np.ones((n, 32, 32))
    for image, (r, c) in zip(images, rng.integers(4, 24, (n, 2))):
        image[r : r + 3, 4:28] = 0.0
        image[4:28, c : c + 2] = 0.0
    return charset.images_to_rows(images).astype(np.float32)


def q3_model(path):
    params = nn.init_network([1024, 8, 36], nn.MLP_ACTIVATIONS, np.random.default_rng(0))
    model_file.save_model(path, params, nn.MLP_ACTIVATIONS, {"seed": 0})


def reader_model(path):
    """A tiny OCR reader trained by the pipeline's own function: deskewed, HOG features."""
    from nnrec.ocr import reader

    train = (glyph_rows(36, 1), np.eye(36))
    params, _, inputs = reader.train_reader(train, train, hidden=8, learning_rate=0.01, epochs=1,
                                            batch_size=16, seed=0, stroke=2.5, copies=0,
                                            deskew=True, features="hog")
    assert params["W1"].shape == (reader.hog_width(), 8)
    model_file.save_model(path, params, nn.MLP_ACTIVATIONS, inputs)


def torch_model(kind):
    def save(path):
        import torch

        from nnrec.torch_models import characters

        torch.manual_seed(0)
        model = characters.build_model(kind, hidden=8, widths=(4, 4, 4)).eval()
        characters.save_character_model(path, model, kind, {"data_source": "synthetic"})

    return save


MODELS = {"q3.npz": q3_model, "reader.npz": reader_model, "fc.pt": torch_model("fc"), "cnn.pt": torch_model("cnn")}


def labelled_by_the_model(model_path, data_path, n=20, wrong=5):
    """A .mat of n rows labelled with the model's predictions, the first ``wrong`` changed."""
    X = glyph_rows(n, 2)
    predicted = classifiers.load_classifier(model_path)(X).argmax(axis=1)
    labels = predicted.copy()
    labels[:wrong] = (labels[:wrong] + 1) % 36
    savemat(data_path, {"test_data": X, "test_labels": charset.one_hot(labels)})
    return labels, predicted


@pytest.mark.parametrize("name", MODELS)
def test_evaluate_scores_every_kind_of_model(name, tmp_path, capsys):
    model, data, table = tmp_path / name, tmp_path / "chars.mat", tmp_path / "out" / "per_class.csv"
    MODELS[name](model)
    labels, predicted = labelled_by_the_model(model, data)
    status = cli.main(["evaluate", "--model", str(model), "--data", str(data), "--per-class", str(table)])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert out == f"{data}: accuracy 0.7500 on 20 samples (model {model})\n"
    frame = pd.read_csv(table)
    assert list(frame.columns) == ["class", "n", "correct", "accuracy"]
    assert list(frame["class"].astype(str)) == list(charset.CLASSES)
    assert frame["n"].sum() == 20 and frame["correct"].sum() == 15
    expected = classifiers.per_class_scores(labels, predicted)
    np.testing.assert_array_equal(frame["correct"], expected["correct"])
    assert not [p for p in table.parent.iterdir() if p.name.startswith(".")], "atomic write left a temporary"


def test_per_class_scores_counts_each_class():
    frame = classifiers.per_class_scores([0, 0, 1, 35], [0, 1, 1, 0])
    assert frame.loc[0].tolist() == ["A", 2, 1, 0.5]
    assert frame.loc[1].tolist() == ["B", 1, 1, 1.0]
    assert frame.loc[35, "class"] == "9" and frame.loc[35, "correct"] == 0
    assert np.isnan(frame.loc[2, "accuracy"]) and frame.loc[2, "n"] == 0


def test_evaluate_file_returns_accuracy_n_and_per_class(tmp_path):
    q3_model(tmp_path / "m.npz")
    labelled_by_the_model(tmp_path / "m.npz", tmp_path / "v.mat", n=10, wrong=2)
    result = classifiers.evaluate_file(tmp_path / "m.npz", tmp_path / "v.mat")
    assert result["accuracy"] == pytest.approx(0.8) and result["n"] == 10
    assert len(result["per_class"]) == 36


@pytest.mark.parametrize(
    "sizes, meta, message",
    [
        ([1024, 8, 26], {}, "the network has 26 outputs; expected 36, one per class"),
        ([784, 8, 36], {}, r"the network reads 784 inputs; its meta's input features \('pixels'\) give 1024"),
        ([1024, 8, 36], {"features": "hog", "feature_mean": [0.0] * 1764, "feature_std": [1.0] * 1764},
         r"reads 1024 inputs; its meta's input features \('hog'\) give 1764"),
        ([1764, 8, 36], {"features": "hog", "feature_mean": [0.0] * 10, "feature_std": [1.0] * 10},
         "meta 'feature_mean' is 10 numbers; expected a list of 1764 numbers"),
        ([1764, 8, 36], {"features": "hog"}, "meta 'feature_mean' is missing"),
        ([1024, 8, 36], {"features": "edges"}, "unknown input features 'edges'"),
        ([1024, 8, 36], {"input_blur": "lots"}, "meta 'input_blur' is 'lots'; expected a blur sigma >= 0"),
        ([1024, 8, 36], {"deskew": "yes"}, "meta 'deskew' is 'yes'; expected true or false"),
    ],
)  # fmt: skip
def test_a_model_that_does_not_fit_the_data_is_one_line(tmp_path, sizes, meta, message):
    params = nn.init_network(sizes, nn.MLP_ACTIVATIONS, np.random.default_rng(0))
    path = tmp_path / "m.npz"
    model_file.save_model(path, params, nn.MLP_ACTIVATIONS, meta)
    with pytest.raises(DataError, match=message) as error:
        classifiers.load_classifier(path)
    assert str(error.value).startswith(f"{path}: ") and "\n" not in str(error.value)


def test_an_autoencoder_is_not_a_classifier(tmp_path):
    params = nn.init_network([1024, 16, 1024], ["relu", "sigmoid"], np.random.default_rng(0))
    model_file.save_model(tmp_path / "ae.npz", params, ["relu", "sigmoid"])
    with pytest.raises(DataError, match="ae.npz: the network has 1024 outputs; expected 36"):
        classifiers.load_classifier(tmp_path / "ae.npz")


def test_font_accuracy_table_scores_each_font_then_all():
    labels, fonts = np.arange(6), np.array(["b", "b", "a", "a", "a", "b"])
    models = {"right": lambda rows: charset.one_hot(labels),
              "guess": lambda rows: charset.one_hot([0, 1, 2, 0, 0, 0])}
    table = classifiers.font_accuracy_table(models, glyph_rows(6), labels, fonts)
    assert list(table.columns) == ["model", "font", "n", "accuracy"]
    assert table.values.tolist() == [["right", "b", 3, 1.0], ["right", "a", 3, 1.0], ["right", "overall", 6, 1.0],
                                     ["guess", "b", 3, 2 / 3], ["guess", "a", 3, 1 / 3], ["guess", "overall", 6, 0.5]]


def template_model(path, templates):
    """A Q3-layout MLP that scores each class by the correlation of a row with its row in
    ``templates`` (36, 1024): far better than chance on characters like those templates."""
    centred = templates - templates.mean(axis=0)
    params = {"W1": centred.T / np.linalg.norm(centred, axis=1), "b1": np.zeros(36),
              "W2": 20 * np.eye(36), "b2": np.zeros(36)}
    model_file.save_model(path, params, nn.MLP_ACTIVATIONS, {"seed": 0})


def test_the_print_face_script_scores_every_reader_on_every_held_out_face(tmp_path):
    """scripts/print_face_accuracy.py, run as Snakemake runs it, on two tiny models."""
    import runpy
    from pathlib import Path
    from types import SimpleNamespace

    from nnrec.ocr import fonts

    models = {"mlp_q3": tmp_path / "q3.npz", "cnn": tmp_path / "cnn.pt"}
    template_model(models["mlp_q3"], fonts.held_out_print_rows(1, seed=99, fonts=fonts.HELD_OUT_PRINT_FONTS[:1])[0])
    torch_model("cnn")(models["cnn"])
    output = tmp_path / "q4" / "print_faces.csv"
    snakemake = SimpleNamespace(
        input=SimpleNamespace(models=[str(p) for p in models.values()]),
        output=SimpleNamespace(csv=str(output)),
        log=[str(tmp_path / "log" / "print_face_accuracy.log")],
        params=SimpleNamespace(models=list(models), per_class=1, seed=3, stroke=3.0),
    )
    script = Path(__file__).resolve().parents[1] / "scripts" / "print_face_accuracy.py"
    runpy.run_path(str(script), init_globals={"snakemake": snakemake})
    table = pd.read_csv(output)
    assert list(table.columns) == ["model", "font", "n", "accuracy"]
    faces = [*fonts.HELD_OUT_PRINT_FONTS, "overall"]
    assert table["model"].tolist() == ["mlp_q3"] * 6 + ["cnn"] * 6 and table["font"].tolist() == faces * 2
    assert table["n"].tolist() == [36] * 5 + [180] + [36] * 5 + [180]
    # the characters are those of the params' seed and pen: the template MLP (well above
    # chance on them) scores each face as it does when run on them directly
    rows, labels, font = fonts.held_out_print_rows(1, seed=3, stroke=3.0)
    correct = classifiers.load_classifier(models["mlp_q3"])(rows).argmax(axis=1) == labels
    expected = [correct[font == face].mean() for face in fonts.HELD_OUT_PRINT_FONTS] + [correct.mean()]
    assert table["accuracy"][:6].tolist() == pytest.approx(expected) and correct.mean() > 0.15
    assert "held-out print faces" in Path(snakemake.log[0]).read_text()
