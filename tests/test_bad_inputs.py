"""The bad-input battery: what a user or a broken download can hand the pipeline.

Each case goes through the entry point a user meets (the `nnrec` command, the data layer's
fetchers that the rules call) and must end either in correct output or in a one-line error
that names the input, leaving nothing half-written behind. Config mistakes are in
test_workflow.py, where Snakemake itself is run.
"""

import hashlib
import socket
import time

import fontpkg
import numpy as np
import pytest
import scipy.io
from PIL import Image, ImageDraw, ImageFont

from nnrec import DataError, charset, cli, data, model_file, nn

# ---------------------------------------------------------------- helpers


def run_cli(capsys, *argv):
    """Run `nnrec ARGV...` in-process -> (exit status, stdout, stderr)."""
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    """A small, untrained 1024-16-36 MLP: enough to exercise reading, not to read well."""
    params = nn.init_network([1024, 16, 36], ["sigmoid", "softmax"], np.random.default_rng(0))
    path = tmp_path_factory.mktemp("model") / "model.npz"
    model_file.save_model(path, params, ["sigmoid", "softmax"])
    return path


def write_split(path, split="test", n=6, **overrides):
    """A NIST36-layout .mat with `n` valid rows, then ``overrides`` replacing keys (None drops one)."""
    rng = np.random.default_rng(0)
    contents = {
        f"{split}_data": rng.random((n, 1024)),
        f"{split}_labels": np.eye(36)[rng.integers(0, 36, n)],
    }
    for key, value in overrides.items():
        if value is None:
            contents.pop(key)
        else:
            contents[key] = value
    scipy.io.savemat(path, contents)
    return path


LINES = ["HELLO WORLD", "NNREC 2026"]
N_CHARACTERS = sum(len(line.replace(" ", "")) for line in LINES)


def render_page(width):
    """An RGB uint8 page `width` pixels wide with LINES written in a marker font."""
    font_file = fontpkg.family("permanent-marker").files[0].path
    height = int(width * 0.45)
    page = Image.new("RGB", (width, height), (235, 232, 225))
    pen = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(font_file), size=max(8, width // 18))
    for row, line in enumerate(LINES):
        # wide letter spacing: this battery is about file handling, not touching letters
        x = width * 0.06
        for char in line:
            pen.text((x, height * (0.15 + 0.4 * row)), char, font=font, fill=(30, 30, 40))
            x += font.getlength(char) + font.size * (0.25 if char != " " else 0.6)
    return np.asarray(page)


def read_text(capsys, model_path, page_path):
    status, out, err = run_cli(capsys, "ocr", str(page_path), "--model", str(model_path))
    assert status == 0, err
    return out


def layout(text):
    """Characters per word per line: what a reader's output must keep whatever the image format."""
    return [[len(word) for word in line.split()] for line in text.splitlines()]


# ---------------------------------------------------------------- .mat files (nnrec evaluate)

MAT_CASES = {
    "truncated": lambda p: p.write_bytes(write_split(p).read_bytes()[:300]),
    "not a mat file": lambda p: p.write_bytes(np.random.default_rng(1).bytes(4000)),
    "missing key": lambda p: write_split(p, test_labels=None),
    "wrong shape": lambda p: write_split(p, test_labels=np.eye(26)[np.arange(6) % 26]),
    "NaN pixels": lambda p: write_split(p, test_data=np.full((6, 1024), np.nan)),
    "labels not one-hot": lambda p: write_split(p, test_labels=np.full((6, 36), 1 / 36)),
    "empty file": lambda p: p.write_bytes(b""),
    "0 rows": lambda p: write_split(p, n=0),
    "0-255 pixels": lambda p: write_split(p, test_data=np.full((6, 1024), 200.0)),
    "infinite pixels": lambda p: write_split(p, test_data=np.full((6, 1024), np.inf)),
    "complex pixels": lambda p: write_split(p, test_data=np.zeros((6, 1024)) + 0.5j),
    "pixels far outside 0-1": lambda p: write_split(p, test_data=np.full((6, 1024), -0.5)),
}


@pytest.mark.parametrize("case", MAT_CASES)
def test_bad_mat_file_is_rejected_naming_the_file(case, tmp_path, capsys, model_path):
    bad = tmp_path / "chars.mat"
    MAT_CASES[case](bad)
    status, out, err = run_cli(capsys, "evaluate", "--model", str(model_path), "--data", str(bad))
    assert status == 2
    assert out == ""
    assert err.startswith("nnrec: ") and str(bad) in err
    assert len(err.strip().splitlines()) == 1, "the error is one line, not a traceback"


def test_data_slightly_outside_0_1_is_clipped_and_evaluated(tmp_path, capsys, model_path):
    X = np.random.default_rng(0).random((6, 1024))
    X[0, :2] = [-0.14, 1.12]  # the range of a real NIST36 letters file
    good = write_split(tmp_path / "nist.mat", test_data=X)
    status, out, err = run_cli(capsys, "evaluate", "--model", str(model_path), "--data", str(good))
    assert status == 0 and "on 6 samples" in out, err


# ---------------------------------------------------------------- model files (nnrec evaluate)


def save_npz(path, **members):
    """An .npz of exactly ``members`` (no validation; object arrays allowed)."""
    with open(path, "wb") as stream:
        np.savez(stream, **members)


def flip_byte(path, at):
    blob = bytearray(path.read_bytes())
    blob[int(len(blob) * at)] ^= 0xFF
    path.write_bytes(bytes(blob))


def tiny_members(**overrides):
    """The members of a 1024-16-36 model.npz, ``overrides`` replacing some."""
    params = nn.init_network([1024, 16, 36], ["sigmoid", "softmax"], np.random.default_rng(0))
    members = {**params, "__activations__": np.array(["sigmoid", "softmax"]), "__meta__": np.array("{}")}
    return {**members, **overrides}


NPZ_CASES = {
    "truncated": lambda p, good: p.write_bytes(good.read_bytes()[: good.stat().st_size // 2]),
    "CRC damaged": lambda p, good: (p.write_bytes(good.read_bytes()), flip_byte(p, 0.3)),
    "compressed, damaged": lambda p, good: (np.savez_compressed(p, **tiny_members()), flip_byte(p, 0.3)),
    "not one of ours": lambda p, good: save_npz(p, weights=np.zeros(3)),
    "unknown activation": lambda p, good: save_npz(p, **tiny_members(__activations__=np.array(["tanh", "softmax"]))),
    "softmax hidden": lambda p, good: save_npz(p, **tiny_members(__activations__=np.array(["softmax", "softmax"]))),
    "activations not names": lambda p, good: save_npz(p, **tiny_members(__activations__=np.array(3.0))),
    "bad meta JSON": lambda p, good: save_npz(p, **tiny_members(__meta__=np.array("{not json"))),
    "meta not an object": lambda p, good: save_npz(p, **tiny_members(__meta__=np.array("[1, 2]"))),
    "layer shapes do not chain": lambda p, good: save_npz(
        p, **tiny_members(W1=np.zeros((1024, 64)), b1=np.zeros(64), W2=np.zeros((32, 36)))),
    "b does not match W": lambda p, good: save_npz(p, **tiny_members(b1=np.zeros(10))),
    "W not a matrix": lambda p, good: save_npz(p, **tiny_members(W1=np.zeros(1024))),
    "missing array": lambda p, good: save_npz(p, **{k: v for k, v in tiny_members().items() if k != "b2"}),
    "object array": lambda p, good: save_npz(p, **tiny_members(W1=np.array([None, 1.0], dtype=object))),
    "text array": lambda p, good: save_npz(p, **tiny_members(W1=np.full((1024, 16), "x"))),
    "NaN weights": lambda p, good: save_npz(p, **tiny_members(W2=np.full((16, 36), np.nan))),
    "26 classes": lambda p, good: save_npz(p, **tiny_members(W2=np.zeros((16, 26)), b2=np.zeros(26))),
    "empty file": lambda p, good: p.write_bytes(b""),
}


def pt_payload(**overrides):
    """What save_character_model writes for a tiny fc network, ``overrides`` replacing keys (None drops one)."""
    import torch

    from nnrec.torch_models import characters

    torch.manual_seed(0)
    model = characters.build_model("fc", hidden=8)
    payload = {"format": characters.FORMAT, "kind": "fc", "options": {"hidden": 8, "members": 1},
               "redraw_stroke": None, "classes": "".join(charset.CLASSES), "state_dict": model.state_dict(),
               "meta": {}}
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}


def save_pt(path, payload):
    import torch

    torch.save(payload, path)


def wrong_shapes():
    from nnrec.torch_models import characters

    return characters.build_model("fc", hidden=16).state_dict()


PT_CASES = {
    "truncated": lambda p: (save_pt(p, pt_payload()), p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])),
    "garbage": lambda p: p.write_bytes(np.random.default_rng(2).bytes(5000)),
    "not one of ours": lambda p: save_pt(p, {"weights": np.zeros(2).tolist()}),
    "missing keys": lambda p: save_pt(p, pt_payload(state_dict=None)),
    "wrong state-dict shapes": lambda p: save_pt(p, pt_payload(state_dict=wrong_shapes())),
    "missing state-dict entries": lambda p: save_pt(p, pt_payload(state_dict={})),
    "unknown kind": lambda p: save_pt(p, pt_payload(kind="rnn")),
    "bad options": lambda p: save_pt(p, pt_payload(options={"depth": 3})),
    "other classes": lambda p: save_pt(p, pt_payload(classes="ABC")),
}


def assert_one_line_naming(status, out, err, path):
    assert status == 2
    assert out == ""
    assert err.startswith(f"nnrec: {path}: "), err
    assert len(err.strip().splitlines()) == 1, "the error is one line, not a traceback"


@pytest.mark.parametrize("case", NPZ_CASES)
def test_broken_npz_model_is_one_line_naming_it(case, tmp_path, capsys, model_path):
    bad = tmp_path / "model.npz"
    NPZ_CASES[case](bad, model_path)
    data_file = write_split(tmp_path / "chars.mat")
    status, out, err = run_cli(capsys, "evaluate", "--model", str(bad), "--data", str(data_file))
    assert_one_line_naming(status, out, err, bad)


@pytest.mark.parametrize("case", PT_CASES)
def test_broken_pt_model_is_one_line_naming_it(case, tmp_path, capsys):
    bad = tmp_path / "model.pt"
    PT_CASES[case](bad)
    data_file = write_split(tmp_path / "chars.mat")
    status, out, err = run_cli(capsys, "evaluate", "--model", str(bad), "--data", str(data_file))
    assert_one_line_naming(status, out, err, bad)


def test_a_good_pt_payload_is_evaluated(tmp_path, capsys):
    save_pt(tmp_path / "model.pt", pt_payload())
    data_file = write_split(tmp_path / "chars.mat", n=8)
    status, out, err = run_cli(capsys, "evaluate", "--model", str(tmp_path / "model.pt"), "--data", str(data_file))
    assert status == 0 and "on 8 samples" in out, err


def test_model_that_is_not_a_model_is_rejected(tmp_path, capsys):
    fake = tmp_path / "model.npz"
    fake.write_text("not a model")
    good = write_split(tmp_path / "chars.mat")
    status, _, err = run_cli(capsys, "evaluate", "--model", str(fake), "--data", str(good))
    assert status == 2 and str(fake) in err


def test_valid_mat_file_is_evaluated(tmp_path, capsys, model_path):
    good = write_split(tmp_path / "chars.mat", n=10)
    status, out, _ = run_cli(capsys, "evaluate", "--model", str(model_path), "--data", str(good))
    assert status == 0 and "on 10 samples" in out


# ---------------------------------------------------------------- fetching inputs


@pytest.fixture
def mirror_page(tmp_path):
    """A mirror folder with one page, its manifest, and where the pipeline would put it."""
    mirror = tmp_path / "mirror"
    (mirror / "images").mkdir(parents=True)
    page = mirror / "images" / "01_list.jpg"
    Image.fromarray(render_page(200)).save(page)
    manifest = tmp_path / "checksums.sha256"
    manifest.write_text(f"{hashlib.sha256(page.read_bytes()).hexdigest()}  images/01_list.jpg\n")
    dest = tmp_path / "resources" / "images" / "01_list.jpg"
    return mirror, page, manifest, dest


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/images.zip"


def test_checksum_mismatch_stops_and_leaves_nothing(mirror_page):
    mirror, page, manifest, dest = mirror_page
    page.write_bytes(page.read_bytes()[:-10] + b"corrupted!")
    with pytest.raises(DataError, match="01_list.jpg.*sha256"):
        data.fetch_pages({"01_list": dest}, manifest, [mirror], timeout=1, url=closed_port_url())
    resources = dest.parent.parent
    assert not [p for p in resources.rglob("*") if p.is_file()], "a partial file was left behind"


def test_missing_mirror_folder_is_skipped(mirror_page, tmp_path):
    mirror, _, manifest, dest = mirror_page
    (record,) = data.fetch_pages({"01_list": dest}, manifest, [tmp_path / "no-such-mirror", mirror], timeout=1)
    assert record.source == "mirror" and dest.is_file()


def test_download_that_cannot_connect_gives_up_within_seconds(mirror_page, tmp_path):
    _, _, manifest, dest = mirror_page
    start = time.monotonic()
    with pytest.raises(DataError, match="01_list.jpg"):
        data.fetch_pages({"01_list": dest}, manifest, [tmp_path / "empty"], timeout=2, url=closed_port_url())
    assert time.monotonic() - start < 10
    assert not dest.exists()


# ---------------------------------------------------------------- pages (nnrec ocr)


def test_truncated_jpeg_is_rejected_naming_the_file(tmp_path, capsys, model_path):
    page = tmp_path / "page.jpg"
    Image.fromarray(render_page(400)).save(page)
    page.write_bytes(page.read_bytes()[:500])
    status, out, err = run_cli(capsys, "ocr", str(page), "--model", str(model_path))
    assert status == 2 and out == "" and str(page) in err


def test_blank_page_gives_empty_text(tmp_path, capsys, model_path):
    page = tmp_path / "blank.jpg"
    Image.new("RGB", (800, 600), (240, 238, 230)).save(page)
    assert read_text(capsys, model_path, page) == ""


@pytest.fixture(scope="module")
def reference_layout(tmp_path_factory, model_path):
    page = tmp_path_factory.mktemp("pages") / "page.jpg"
    Image.fromarray(render_page(1200)).save(page, quality=95)
    from nnrec import classifiers, ocr

    text = ocr.read_page(page, classifiers.load_classifier(model_path))
    assert sum(map(sum, layout(text))) == N_CHARACTERS, text
    return layout(text)


@pytest.mark.parametrize(
    "variant",
    ["rgba png", "greyscale jpeg", "rgb png", "0.1 megapixel", "12 megapixel"],
)
def test_page_formats_and_sizes_read_the_same(variant, tmp_path, capsys, model_path, reference_layout):
    width = {"0.1 megapixel": 470, "12 megapixel": 5200}.get(variant, 1200)
    rgb = render_page(width)
    path = tmp_path / ("page.png" if "png" in variant else "page.jpg")
    if variant == "rgba png":
        image = Image.fromarray(np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)]), "RGBA")
    elif variant == "greyscale jpeg":
        image = Image.fromarray(rgb).convert("L")
    else:
        image = Image.fromarray(rgb)
    image.save(path)
    megapixels = image.width * image.height / 1e6
    if variant.endswith("megapixel"):
        assert megapixels == pytest.approx(float(variant.split()[0]), rel=0.1)
    assert layout(read_text(capsys, model_path, path)) == reference_layout
