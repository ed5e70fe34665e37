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

from nnrec import DataError, cli, data, model_file, nn

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
