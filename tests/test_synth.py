"""nnrec.synth: synthetic NIST36-format characters from handwriting fonts."""

import numpy as np
import pytest
from scipy.io import loadmat

from nnrec import ConfigError, DataError, charset, glyph_geometry, synth
from nnrec.data import load_split

# Small, fast font choices that draw all 36 classes distinctly.
FONTS = {"train": ["varela-round"], "valid": ["varela-round"], "test": ["indie-flower"]}
PER_CLASS = {"train": 3, "valid": 2, "test": 1}


def write(tmp_path, seed=0, per_class=PER_CLASS, fonts=FONTS, name="out"):
    paths = {s: tmp_path / name / f"{s}.mat" for s in synth.SPLITS}
    note = synth.write_synthetic_splits(paths, per_class, seed, fonts=fonts)
    return paths, note


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return write(tmp_path_factory.mktemp("synth"))


def test_nist36_format_and_split_sizes(written):
    paths, note = written
    for split, path in paths.items():
        mat = loadmat(path)
        assert {f"{split}_data", f"{split}_labels"} <= set(mat)
        X, Y = load_split(path)  # the data layer's validating loader accepts it
        n = 36 * PER_CLASS[split]
        assert X.shape == (n, 1024) and Y.shape == (n, 36)
        assert X.min() >= 0 and X.max() <= 1
        assert set(np.unique(Y)) == {0.0, 1.0} and (Y.sum(axis=1) == 1).all()
        assert (Y.sum(axis=0) == PER_CLASS[split]).all()
    assert "synthetic" in note and "not NIST36" in note
    assert "varela-round" in note and "indie-flower" in note
    assert "\n" not in note


def test_white_background_dark_ink(written):
    X, _ = load_split(written[0]["train"])
    images = charset.rows_to_images(X)
    border = np.concatenate([images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]], axis=1)
    assert border.mean() > 0.85
    assert np.median(images.reshape(len(X), -1).min(axis=1)) < 0.3
    assert np.median(images, axis=(1, 2)).min() > 0.7  # mostly paper


def _ink(images):
    return 1.0 - images


def test_orientation_upright_in_column_major_rows(tmp_path):
    paths, _ = write(tmp_path, per_class={"train": 6, "valid": 1, "test": 1})
    X, Y = load_split(paths["train"])
    images = charset.rows_to_images(X)  # row.reshape(32, 32).T
    labels = Y.argmax(axis=1)
    ell = _ink(images[labels == charset.CLASSES.index("L")]).mean(axis=0)
    assert ell[20:].sum() > 1.5 * ell[:12].sum()  # L's foot at the bottom
    assert ell[:, :12].sum() > 1.5 * ell[:, 20:].sum()  # its stem on the left
    seven = _ink(images[labels == charset.CLASSES.index("7")]).mean(axis=0)
    assert seven[:8].sum() > 1.5 * seven[-8:].sum()  # 7's bar at the top
    # the transposed (row-major) reading would put L's stem at the top instead
    assert ell.T[:12].sum() > ell.T[20:].sum()


def test_deterministic_for_a_seed(tmp_path):
    small = {"train": 1, "valid": 1, "test": 1}
    a, _ = write(tmp_path, seed=3, per_class=small, name="a")
    b, _ = write(tmp_path, seed=3, per_class=small, name="b")
    c, _ = write(tmp_path, seed=4, per_class=small, name="c")
    for split in synth.SPLITS:
        key = f"{split}_data"
        xa, xb, xc = (loadmat(p[split])[key] for p in (a, b, c))
        assert xa.tobytes() == xb.tobytes()
        assert not np.array_equal(xa, xc)


def test_test_fonts_never_seen_in_training(tmp_path):
    assert not set(synth.DEFAULT_FONTS["test"]) & set(synth.DEFAULT_FONTS["train"])
    shared = {**FONTS, "test": ["indie-flower", "varela-round"]}
    with pytest.raises(ConfigError, match="varela-round"):
        write(tmp_path, fonts=shared)


def test_unknown_font_is_named(tmp_path):
    with pytest.raises(DataError, match="no-such-hand"):
        write(tmp_path, fonts={**FONTS, "train": ["no-such-hand"]})


def test_coverage_check_rejects_a_font_missing_a_glyph(tmp_path):
    from fontTools import subset

    (face,) = synth.font_faces("indie-flower")
    synth.check_coverage(face.path)  # the real font covers A-Z and 0-9
    font = subset.load_font(str(face.path), subset.Options())
    subsetter = subset.Subsetter()
    subsetter.populate(text="".join(c for c in charset.CLASSES if c != "Q"))
    subsetter.subset(font)
    path = tmp_path / "no_q.ttf"
    font.save(str(path))
    with pytest.raises(DataError, match=r"no glyph for Q\b"):
        synth.check_coverage(path)


def _coded_glyphs(side=synth.RENDER_SIDE):
    """Distinct fake glyphs: a frame plus interior bars spelling the class index in binary."""
    bars = [
        (slice(16, 18), slice(8, 56)), (slice(32, 34), slice(8, 56)), (slice(46, 48), slice(8, 56)),
        (slice(8, 56), slice(20, 22)), (slice(8, 56), slice(32, 34)), (slice(8, 56), slice(44, 46)),
    ]
    glyphs = {}
    for k, c in enumerate(charset.CLASSES):
        g = np.zeros((side, side))
        g[8:56, 8:10] = g[8:56, 54:56] = g[8:10, 8:56] = g[54:56, 8:56] = 1
        for bit, (rows, cols) in enumerate(bars):
            if (k + 1) >> bit & 1:
                g[rows, cols] = 1
        glyphs[c] = glyph_geometry.fit_to_box(g, long_side=synth.RENDER_LONG, side=side)
    return glyphs


def test_ambiguity_filter_drops_identical_glyphs():
    glyphs = _coded_glyphs()
    assert synth.ambiguous_pairs(glyphs) == []
    glyphs["0"] = glyphs["O"].copy()
    glyphs["1"] = np.roll(glyphs["I"], 1, axis=1)  # one pixel off still counts as the same
    pairs = synth.ambiguous_pairs(glyphs)
    assert {(a, b) for a, b, _ in pairs} == {("0", "O"), ("1", "I")}


def test_glyph_bank_drops_ambiguous_pair_of_a_font(monkeypatch):
    glyphs = _coded_glyphs()
    glyphs["1"] = glyphs["I"].copy()
    real = synth._face_glyphs
    monkeypatch.setattr(
        synth, "_face_glyphs", lambda face: glyphs if face.family == "zeyada" else real(face)
    )
    synth._glyph_bank.cache_clear()  # banks are cached per font list; keep fakes out of it
    try:
        with pytest.raises(DataError, match=r"no unambiguous glyph for I 1"):
            synth.glyph_bank(["zeyada"])
        bank = synth.glyph_bank(["zeyada", "indie-flower"])
    finally:
        synth._glyph_bank.cache_clear()
    assert ("1", "I") in {(a, b) for a, b, _ in bank.dropped["zeyada:400"]}
    zeyada = bank.faces == bank.face_names.index("zeyada:400")
    kept = {charset.CLASSES[k] for k in bank.labels[zeyada]}
    assert kept == set(charset.CLASSES) - {"I", "1"}


def test_batch_box_fit_matches_fit_to_box():
    rng = np.random.default_rng(0)
    glyphs = np.stack([g for g in _coded_glyphs().values()][:8]).astype(np.float32)
    glyphs = np.roll(glyphs, 5, axis=2)  # off-centre input
    batch = glyph_geometry.fit_to_box_batch(glyphs, rng)
    for got, glyph in zip(batch, glyphs):
        want = glyph_geometry.fit_to_box(glyph)
        for axis in (0, 1):
            got_ink = np.flatnonzero(got.max(axis=axis) > 0.3)
            want_ink = np.flatnonzero(want.max(axis=axis) > 0.3)
            assert abs(got_ink[0] - want_ink[0]) <= 1 and abs(got_ink[-1] - want_ink[-1]) <= 1
        assert np.abs(got.sum() - want.sum()) < 0.25 * want.sum()
