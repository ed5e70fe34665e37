"""nnrec.ocr.reader and nnrec.ocr.fonts: the reader MLP's training characters, input features and training."""

import numpy as np
import pytest

from nnrec import DataError, charset, classifiers
from nnrec.glyph_geometry import fit_to_box
from nnrec.ocr import fonts, glyphs, reader
from ocr_pages import stroke_ink


def test_print_font_characters_are_ink_maps_of_every_class():
    inks, Y = fonts.print_font_characters(per_class=1, seed=0, fonts=fonts.PRINT_FONTS[:2])
    assert inks.shape == (36, 32, 32) and Y.shape == (36, 36)
    assert (Y.argmax(axis=1) == np.arange(36)).all()
    # mostly background, every glyph with solid ink
    assert np.median(inks) < 0.2 and inks.max(axis=(1, 2)).min() > 0.5


def test_held_out_print_fonts_are_no_face_a_reader_trains_on():
    from nnrec import synth

    held_out = fonts.HELD_OUT_PRINT_FONTS
    assert len(held_out) == 5 and not set(held_out) & set(fonts.PRINT_FONTS)
    # nor a fontpkg family of the reader's fonts or of the handwriting fonts, under any spelling
    stems = [name.removesuffix(".ttf").lower() for name in held_out]
    families = [*fonts.READER_FONTS, *(f for split in synth.DEFAULT_FONTS.values() for f in split)]
    assert not [(s, f) for s in stems for f in families if s.startswith(f.replace("-", ""))]
    # each draws the classes unlike every trained print face (two trained faces differ by >= 0.06)
    glyphs_of = fonts._print_glyphs(held_out + fonts.PRINT_FONTS)
    closest = min(np.abs(glyphs_of[h] - glyphs_of[p]).mean() for h in held_out for p in fonts.PRINT_FONTS)
    assert closest > 0.05


def _stroke_width(inks):
    """Median over (n, 32, 32) ink maps of ink pixels per skeleton pixel: about the pen's width."""
    from skimage.morphology import skeletonize

    return np.median([mask.sum() / max(skeletonize(mask).sum(), 1) for mask in inks > 0.5])


def test_held_out_print_rows_are_every_class_of_every_face_drawn_with_the_ocr_pen():
    bold = ("cmb10.ttf", "DejaVuSansMono-Bold.ttf")
    rows, labels, font = fonts.held_out_print_rows(per_class=2, seed=0, fonts=bold)
    assert rows.shape == (144, 1024) and labels.shape == font.shape == (144,)
    # face by face, each class twice in class order
    assert list(font) == [bold[0]] * 72 + [bold[1]] * 72
    assert (labels == np.tile(np.repeat(np.arange(36), 2), 2)).all()
    # NIST36 rows (white paper ~1), each character's ink redrawn with the OCR pen as page crops
    # are: the bold faces' thick strokes come out at about glyphs.DEFAULT_STROKE, and a wider
    # pen draws wider
    assert np.median(rows) > 0.9 and rows.min(axis=1).max() < 0.5
    raw, _ = fonts.print_font_characters(per_class=2, seed=0, fonts=bold)
    drawn = _stroke_width(charset.rows_to_inks(rows))
    assert glyphs.DEFAULT_STROKE < drawn < 3.5 < _stroke_width(raw)
    wide, _, _ = fonts.held_out_print_rows(per_class=2, seed=0, stroke=4.0, fonts=bold)
    assert _stroke_width(charset.rows_to_inks(wide)) - drawn == pytest.approx(1.3, abs=0.3)
    # two faces draw a class differently, two warps of one face differ, one seed gives one draw
    assert np.abs(rows[0] - rows[72]).mean() > 0.01 and np.abs(rows[0] - rows[1]).mean() > 0.01
    again, _, _ = fonts.held_out_print_rows(per_class=2, seed=0, fonts=bold)
    other, _, _ = fonts.held_out_print_rows(per_class=2, seed=1, fonts=bold)
    assert np.array_equal(rows, again) and not np.array_equal(rows, other)


def test_reader_fonts_are_installed_and_never_the_test_split_s_fonts():
    from nnrec import synth

    assert not set(fonts.READER_FONTS) & set(synth.DEFAULT_FONTS["test"])
    faces = fonts.reader_faces()
    assert {face.family for face in faces} == set(fonts.READER_FONTS)
    # no more faces than weights asked for, and no italic files
    assert all(len([f for f in faces if f.family == family]) <= len(fonts.READER_FONT_WEIGHTS)
               for family in fonts.READER_FONTS)


def test_font_characters_are_redrawn_ink_maps_of_every_class():
    families = ("roboto-mono", "nunito")
    X, Y = fonts.font_characters(per_class=2, seed=0, families=families, weights=(400,))
    assert X.shape == (72, 32, 32) and Y.shape == (72, 36)
    assert (Y.argmax(axis=1) == np.repeat(np.arange(36), 2)).all()
    # ink drawn with the page crops' pen: a thin share of the cell is ink
    assert np.median(X) < 0.1 and X.max(axis=(1, 2)).min() > 0.5
    assert 0.05 < (X > 0.5).mean() < 0.3
    # the two samples of a class differ (random faces and warps), the result does not depend on
    # the number of worker processes
    assert np.abs(X[0] - X[1]).mean() > 0.01
    X2, _ = fonts.font_characters(per_class=2, seed=0, families=families, weights=(400,), workers=2)
    assert np.array_equal(X, X2)


def test_load_classifier_applies_the_model_s_input_blur(tmp_path):
    from nnrec import model_file, nn

    params = nn.init_network([1024, 8, 36], nn.MLP_ACTIVATIONS, np.random.default_rng(0))
    rows = np.ones((2, 1024))
    rows[:, 300:340] = 0.0
    probs = {}
    for sigma in (0.0, 1.5):
        path = tmp_path / f"reader_{sigma}.npz"
        model_file.save_model(path, params, nn.MLP_ACTIVATIONS, {"input_blur": sigma})
        probs[sigma] = classifiers.load_classifier(path)(rows)
        assert probs[sigma].shape == (2, 36)
        assert np.allclose(probs[sigma].sum(axis=1), 1.0)
    assert not np.allclose(probs[0.0], probs[1.5])
    inks = charset.rows_to_inks(rows)
    blurred = glyphs.blur_images(inks, 1.5)
    assert blurred.shape == inks.shape and inks.mean() < blurred.max() < 1
    assert np.array_equal(glyphs.blur_images(inks, 0), inks)


def test_load_classifier_deskews_when_the_model_was_trained_so(tmp_path):
    from nnrec import model_file, nn

    params = nn.init_network([1024, 8, 36], nn.MLP_ACTIVATIONS, np.random.default_rng(0))
    slanted = charset.images_to_rows(1.0 - stroke_ink(0.4)[None])
    upright = charset.images_to_rows(1.0 - fit_to_box(stroke_ink(0.0))[None])
    probs = {}
    for deskew in (False, True):
        path = tmp_path / f"reader_{deskew}.npz"
        model_file.save_model(path, params, nn.MLP_ACTIVATIONS, {"deskew": deskew})
        classify = classifiers.load_classifier(path)
        probs[deskew] = classify(slanted), classify(upright)
    # deskewed, the slanted stroke looks to the network much like the upright one
    gap = {d: np.abs(p[0] - p[1]).sum() for d, p in probs.items()}
    assert gap[True] < 0.5 * gap[False]
    assert np.allclose(probs[False][1], probs[True][1])


def test_hog_features_shape_and_workers_do_not_change_them():
    inks = np.stack([stroke_ink(s) for s in (-0.3, 0.0, 0.2, 0.5)] * 3)
    one = reader.hog_features(inks)
    assert one.shape == (12, 1764) and one.dtype == np.float32
    ocr_chunk, reader.HOG_CHUNK = reader.HOG_CHUNK, 5  # several chunks, shared by two processes
    try:
        assert np.array_equal(reader.hog_features(inks, workers=2), one)
    finally:
        reader.HOG_CHUNK = ocr_chunk
    assert reader.hog_features(np.zeros((0, 32, 32))).shape == (0, 1764)


def test_hog_features_are_skimage_s_hog_of_each_character():
    from skimage.feature import hog

    rng = np.random.default_rng(0)
    glyph_inks = fonts.print_font_characters(per_class=1, seed=0, fonts=fonts.PRINT_FONTS[:1])[0][:12]
    strokes = np.stack([stroke_ink(s, width) for s in (-0.4, 0.0, 0.3) for width in (1, 3)])
    noise = rng.random((4, 32, 32)) * (rng.random((4, 32, 32)) > 0.7)
    inks = np.concatenate([glyph_inks, strokes, noise, np.zeros((1, 32, 32)), np.ones((1, 32, 32))])
    shape = dict(orientations=reader.HOG_ORIENTATIONS, pixels_per_cell=(reader.HOG_CELL, reader.HOG_CELL),
                 cells_per_block=(reader.HOG_BLOCK, reader.HOG_BLOCK), block_norm="L2-Hys")
    expected = np.stack([hog(ink, **shape) for ink in inks])
    assert np.abs(expected).max() > 0.1
    assert np.allclose(reader.hog_features(inks), expected, rtol=1e-5, atol=1e-6)


def test_hog_features_change_less_than_pixels_when_a_stroke_moves_a_pixel():
    upright = stroke_ink(0.0)
    moved, slanted = np.roll(upright, 1, axis=1), stroke_ink(0.5)
    inks = np.stack([upright, moved, slanted])
    features = reader.hog_features(inks)

    def relative(values, k):  # distance to the upright stroke, over the slanted one's
        return np.linalg.norm(values[k] - values[0]) / np.linalg.norm(values[2] - values[0])

    # in pixels a one-pixel shift is nearly as far as a different stroke; in HOG it is close
    assert relative(features, 1) < 0.5 * relative(inks.reshape(3, -1), 1)


def test_load_classifier_computes_standardised_hog_features_for_a_hog_model(tmp_path):
    from nnrec import model_file, nn

    rows = charset.images_to_rows(1.0 - np.stack([stroke_ink(0.0), stroke_ink(0.4)]))
    features = reader.hog_features(glyphs.deskew_images(charset.rows_to_inks(rows)))
    mean, std = features.mean(axis=0), features.std(axis=0)
    meta = {"deskew": True, "features": "hog", "feature_mean": mean.tolist(), "feature_std": std.tolist()}
    prepared = reader.reader_inputs(rows, meta)
    assert np.allclose(prepared, (features - mean) / (std + reader.FEATURE_STD_EPS), atol=1e-5)
    params = nn.init_network([1764, 8, 36], nn.MLP_ACTIVATIONS, np.random.default_rng(0))
    path = tmp_path / "reader.npz"
    model_file.save_model(path, params, nn.MLP_ACTIVATIONS, meta)
    probs = classifiers.load_classifier(path)(rows)
    assert np.allclose(probs, model_file.predict_proba(model_file.load_model(path), prepared), atol=1e-5)
    with pytest.raises(DataError, match="unknown input features 'edges'"):
        reader.reader_inputs(rows, {"features": "edges"})


def test_train_reader_on_hog_features_saves_their_standardisation():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 12)  # A: upright strokes, B: slanted ones
    inks = np.stack([np.roll(stroke_ink(0.5 * k), rng.integers(-2, 3), axis=1) for k in labels])
    rows = charset.images_to_rows(1.0 - inks)
    data = (rows, charset.one_hot(labels))
    params, history, inputs = reader.train_reader(data, data, hidden=8, learning_rate=0.05, epochs=30,
                                               batch_size=8, seed=0, stroke=2.7, copies=0, features="hog")
    assert params["W1"].shape == (1764, 8)
    assert inputs["features"] == "hog" and len(inputs["feature_mean"]) == len(inputs["feature_std"]) == 1764
    assert history["valid_acc"].iloc[-1] == 1.0



def test_stored_characters_join_the_redrawn_ones_unchanged():
    rng = np.random.default_rng(1)
    labels = np.array([0, 1, 2])
    inks = np.stack([np.roll(stroke_ink(0.4 * k), rng.integers(-2, 3), axis=1) for k in labels])
    train = (charset.images_to_rows(1.0 - inks), charset.one_hot(labels))
    plain, Y_plain = reader._training_characters(train, 2.7, 0, 0, 0, seed=0, workers=1)
    both, Y_both = reader._training_characters(train, 2.7, 0, 0, 0, seed=0, workers=1,
                                               stored_characters=True)
    assert len(both) == 2 * len(plain) and (Y_both.argmax(1) == np.tile(labels, 2)).all()
    np.testing.assert_array_equal(both[: len(plain)], plain)
    np.testing.assert_allclose(both[len(plain):], charset.rows_to_inks(train[0]))
    assert not np.allclose(plain, both[len(plain):], atol=0.05)  # redrawn ones do differ
