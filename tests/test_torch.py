"""PyTorch stage (Q7): character networks, augmentation, saving/loading, determinism."""

import os

# Unit tests run on the CPU. Hiding CUDA also skips the driver probe that the first backward
# pass of a CUDA build of torch makes on a machine without a GPU (seconds each process).
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from nnrec import DataError, charset  # noqa: E402
from nnrec.torch_models import characters, common  # noqa: E402


def _glyph_rows(n, seed=0):
    """Tiny learnable character rows: class k is a bar at a class-specific position (dataset layout)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, charset.N_CLASSES, n)
    images = np.ones((n, 32, 32), dtype=np.float32)
    for i, k in enumerate(labels):
        row, col = 4 + (k % 6) * 4, 4 + (k // 6) * 4
        images[i, row : row + 3, 4:28] = 0.0
        images[i, 4:28, col : col + 2] = 0.0
    images += rng.normal(0, 0.05, images.shape).astype(np.float32)
    return charset.images_to_rows(np.clip(images, 0, 1)).astype(np.float32), charset.one_hot(labels)


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def test_rows_to_ink_is_upright_and_inverted():
    image = np.ones((32, 32), dtype=np.float32)
    image[2, 5] = 0.0  # one ink pixel, row 2 column 5 of the upright image
    ink = characters.rows_to_ink(charset.image_to_row(image)[None])
    assert ink.shape == (1, 1, 32, 32)
    assert ink[0, 0, 2, 5] == 1.0 and ink.sum() == 1.0


@pytest.mark.parametrize("kind, shape", [("fc", (5, 1024)), ("cnn", (5, 1, 32, 32))])
def test_character_models_give_36_logits(kind, shape):
    model = characters.build_model(kind)
    assert model(torch.rand(shape)).shape == (5, charset.N_CLASSES)


def test_fc_is_the_q3_network():
    model = characters.build_model("fc", hidden=64)
    linear = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linear] == [(1024, 64), (64, 36)]
    assert any(isinstance(m, torch.nn.Sigmoid) for m in model.modules())


@pytest.mark.parametrize("kind", ["fc", "cnn"])
def test_training_steps_lower_the_loss_on_a_tiny_batch(kind):
    common.seed_everything(0, 1)
    X, Y = _glyph_rows(32)
    x, y = characters.model_input(kind, X), torch.as_tensor(Y.argmax(1))
    model = characters.build_model(kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    losses = []
    for _ in range(25):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.75 * losses[0]


def test_augmentation_keeps_range_and_shape_and_follows_the_generator():
    ink = characters.rows_to_ink(_glyph_rows(16)[0])
    a = characters.augment_ink(ink, torch.Generator().manual_seed(1))
    b = characters.augment_ink(ink, torch.Generator().manual_seed(1))
    c = characters.augment_ink(ink, torch.Generator().manual_seed(2))
    assert a.shape == ink.shape and a.min() >= 0 and a.max() <= 1
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert (a - ink).abs().mean() > 0.02  # it does distort
    # the ink stays mostly in place: augmented glyphs still overlap their originals
    overlap = ((a > 0.5) & (ink > 0.5)).sum() / (ink > 0.5).sum()
    assert overlap > 0.3


def test_augmentation_strength_zero_is_identity():
    ink = characters.rows_to_ink(_glyph_rows(4)[0])
    out = characters.augment_ink(ink, torch.Generator().manual_seed(0), strength=0.0)
    assert torch.allclose(out, ink, atol=1e-4)


def _ink_width(ink):
    """Horizontal extent (pixels) of the ink of each (1, h, w) map of a batch."""
    cols = (ink > 0.5).any(dim=2).squeeze(1)
    return torch.tensor([float(c.nonzero().max() - c.nonzero().min() + 1) if c.any() else 0.0 for c in cols])


def test_augmentation_varies_width_within_the_width_range():
    # a horizontal bar, many times: shear and slant barely change its length, the width factor does
    ink = torch.zeros(400, 1, 32, 32)
    ink[:, :, 15:17, 10:22] = 1.0
    ratio = _ink_width(characters.augment_ink(ink, torch.Generator().manual_seed(0))) / 12
    low, high = characters.AUGMENT_WIDTH_RANGE
    assert high >= 1.4 and low <= 0.7
    assert ratio.quantile(0.9) > 1 + 0.6 * (high - 1)  # often much wider than drawn
    assert ratio.quantile(0.98) < high + 0.2  # never beyond the range (plus a thickened pixel)


def test_type_faces_add_balanced_training_characters():
    X, Y = _glyph_rows(20)
    X2, Y2 = characters.with_type_faces((X, Y), 2, seed=0)
    assert X2.shape == (20 + 2 * charset.N_CLASSES, charset.N_PIXELS) and X2.dtype == np.float32
    np.testing.assert_array_equal(X2[:20], X)
    assert (Y2[20:].sum(axis=0) == 2).all()  # two of each class
    # print faces are drawn like the dataset: white background, dark ink
    added = X2[20:]
    assert np.median(added) > 0.9 and added.min(axis=1).max() < 0.3
    assert characters.with_type_faces((X, Y), 0)[0] is X


def test_type_faces_add_the_reader_s_fonts_redrawn_like_page_crops():
    X, Y = _glyph_rows(20)
    X2, Y2 = characters.with_type_faces((X, Y), 1, font_per_class=2, seed=0, families=("roboto-mono",))
    assert X2.shape == (20 + 3 * charset.N_CLASSES, charset.N_PIXELS)
    assert (Y2[20:].sum(axis=0) == 3).all()
    fonts = X2[20 + charset.N_CLASSES :]
    redrawn = characters.prepare_rows(fonts, 2.7)
    # already drawn with a round pen like page crops: redrawing them again changes little
    assert np.abs(redrawn - fonts).mean() < 0.05
    assert np.median(fonts) > 0.9 and fonts.min(axis=1).max() < 0.3


def _train(seed, kind="cnn", epochs=2, ensemble=1):
    train, valid = _glyph_rows(96, 0), _glyph_rows(36, 1)
    return characters.train_character_model(kind, train, valid, epochs=epochs, batch_size=32,
                                            learning_rate=3e-3, seed=seed, device="cpu", threads=1,
                                            widths=(8, 8, 8), ensemble=ensemble)


def test_an_ensemble_averages_networks_trained_from_successive_seeds(tmp_path):
    ensemble, history = _train(seed=3, epochs=1, ensemble=2)
    assert isinstance(ensemble, characters.CharacterEnsemble) and len(ensemble.members) == 2
    # member k is the network a single run from seed 3 + k would have trained
    for k, member in enumerate(ensemble.members):
        single, _ = _train(seed=3 + k, epochs=1)
        for p, q in zip(member.state_dict().values(), single.state_dict().values()):
            assert torch.equal(p, q)
    assert list(history["member"]) == [1, 2] and list(history["epoch"]) == [1, 1]
    rows = _glyph_rows(9, 5)[0]
    members = [characters.predict_proba(m, "cnn", rows) for m in ensemble.members]
    probs = characters.predict_proba(ensemble, "cnn", rows)
    assert np.allclose(probs, np.mean(members, axis=0), atol=1e-5)
    # saved and loaded whole, it is what the OCR stage reads with
    path = tmp_path / "model.pt"
    characters.save_character_model(path, ensemble, "cnn")
    assert np.allclose(characters.load_character_classifier(path)(rows), probs, atol=1e-6)


def test_cpu_training_is_deterministic():
    model_a, history_a = _train(seed=3)
    model_b, history_b = _train(seed=3)
    _, history_c = _train(seed=4)
    assert history_a.drop(columns="seconds").equals(history_b.drop(columns="seconds"))
    for (name, p), q in zip(model_a.state_dict().items(), model_b.state_dict().values()):
        assert torch.equal(p, q), name
    assert not history_a["train_loss"].equals(history_c["train_loss"])


def test_history_columns_and_learning():
    _, history = _train(seed=0, kind="fc", epochs=3)
    assert list(history.columns) == common.HISTORY_COLUMNS
    assert list(history["epoch"]) == [1, 2, 3]
    assert history["train_loss"].iloc[-1] < history["train_loss"].iloc[0]


@pytest.mark.parametrize("kind", ["fc", "cnn"])
def test_saved_model_loads_as_the_ocr_classifier(tmp_path, kind):
    model, _ = _train(seed=0, kind=kind, epochs=1)
    path = tmp_path / "model.pt"
    characters.save_character_model(path, model, kind, {"data_source": "synthetic"})
    rows = _glyph_rows(7, 5)[0]
    classify = characters.load_character_classifier(path)
    probs = classify(rows)
    assert probs.shape == (7, 36)
    assert np.allclose(probs.sum(1), 1, atol=1e-5)
    assert np.allclose(probs, characters.predict_proba(model, kind, rows), atol=1e-6)
    assert classify(np.zeros((0, 1024))).shape == (0, 36)
    _, loaded_kind, meta = characters.load_character_model(path)
    assert loaded_kind == kind and meta["data_source"] == "synthetic"


def test_loading_a_missing_or_foreign_file_names_it(tmp_path):
    with pytest.raises(DataError, match="no such model file"):
        characters.load_character_classifier(tmp_path / "none.pt")
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(2)}, foreign)
    with pytest.raises(DataError, match="foreign.pt"):
        characters.load_character_classifier(foreign)


def test_device_names():
    assert common.resolve_device("cpu").type == "cpu"
    assert common.resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        from nnrec import ConfigError

        with pytest.raises(ConfigError, match="no CUDA"):
            common.resolve_device("cuda")


def test_a_redraw_model_redraws_what_it_classifies(tmp_path):
    rows = _glyph_rows(6, 2)[0]
    redrawn = characters.prepare_rows(rows, 2.7)
    assert redrawn.shape == rows.shape and not np.allclose(redrawn, rows)
    assert np.array_equal(characters.prepare_rows(rows, None), rows)
    model, _ = _train(seed=0, kind="cnn", epochs=1)
    path = tmp_path / "model.pt"
    characters.save_character_model(path, model, "cnn", redraw_stroke=2.7)
    classify = characters.load_character_classifier(path)
    assert np.allclose(classify(rows), characters.predict_proba(model, "cnn", redrawn), atol=1e-6)


def test_the_device_name_counts_threads_in_words():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert common.describe_device("cpu") == "cpu (1 thread)"
        torch.set_num_threads(2)
        assert common.describe_device("cpu") == "cpu (2 threads)"
    finally:
        torch.set_num_threads(before)
