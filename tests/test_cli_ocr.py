"""`nnrec ocr` as a tool: several pages, --json, --boxes, and the default model found from anywhere."""

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnrec import charset, cli, model_file, nn
from ocr_pages import draw_page, matched, on_desk, photograph

# the classes a constant network prefers, and their output biases (softmax over all 36)
BIASES = {"H": 3.0, "N": 2.0}


def python(*args, cwd=None):
    """A fresh ``python *args`` seeing this test's packages -> its CompletedProcess (text)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, env=env)


def constant_model(path):
    """A 1024-4-36 MLP that reads every character as H (p ~0.65), then N: zero weights, so only
    the output biases speak."""
    params = {k: np.zeros_like(v) for k, v in nn.init_network([1024, 4, 36], nn.MLP_ACTIVATIONS,
                                                               np.random.default_rng(0)).items()}
    for char, bias in BIASES.items():
        params["b2"][charset.CLASSES.index(char)] = bias
    model_file.save_model(path, params, nn.MLP_ACTIVATIONS)
    return path


def expected_probabilities():
    logits = np.zeros(charset.N_CLASSES)
    for char, bias in BIASES.items():
        logits[charset.CLASSES.index(char)] = bias
    p = np.exp(logits) / np.exp(logits).sum()
    return {char: p[charset.CLASSES.index(char)] for char in ("H", "N", "A")}


@pytest.fixture(autouse=True)
def collector_as_found():
    """`nnrec ocr` run in this process freezes the objects loaded so far out of the cyclic
    collector (cli._ocr); each test gives them back."""
    yield
    gc.unfreeze()


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return constant_model(tmp_path_factory.mktemp("model") / "model.npz")


def write_page(path, lines):
    ink, true = draw_page(lines)
    Image.fromarray((photograph(ink, noise=0.0) * 255).astype(np.uint8)).save(path)
    return true


def run(capsys, *argv):
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_several_pages_print_a_header_each(tmp_path, capsys, model):
    write_page(tmp_path / "one.png", ["HL T"])
    write_page(tmp_path / "two.png", ["NF", "V"])
    status, out, err = run(capsys, "ocr", tmp_path / "one.png", tmp_path / "two.png", "--model", model)
    assert status == 0, err
    assert out == f"==> {tmp_path / 'one.png'} <==\nHH H\n\n==> {tmp_path / 'two.png'} <==\nHH\nH\n"
    # one page: just its text
    assert run(capsys, "ocr", tmp_path / "two.png", "--model", model)[1] == "HH\nH\n"


def test_a_bad_page_among_several_is_named_and_the_rest_are_read(tmp_path, capsys, model):
    write_page(tmp_path / "good.png", ["HL"])
    (tmp_path / "bad.jpg").write_text("not a photo")
    status, out, err = run(capsys, "ocr", tmp_path / "bad.jpg", tmp_path / "good.png", "--model", model)
    assert status == 2
    assert out == f"==> {tmp_path / 'good.png'} <==\nHH\n"
    assert err.count("\n") == 1 and err.startswith(f"nnrec: {tmp_path / 'bad.jpg'}: not an image file")


@pytest.mark.parametrize("good_model", [True, False])
def test_the_collector_is_on_again_once_the_readers_are_loaded_or_failed_to(tmp_path, capsys, model, good_model):
    # it waits while they load (start-up); a caller of cli.main must get it back either way
    write_page(tmp_path / "page.png", ["HL"])
    status, _, _ = run(capsys, "ocr", tmp_path / "page.png", "--model", model if good_model else tmp_path / "none.npz")
    assert status == (0 if good_model else 2)
    assert gc.isenabled()


def test_json_gives_lines_boxes_and_top_classes(tmp_path, capsys, model):
    true = write_page(tmp_path / "page.png", ["HL T", "NF"])
    write_page(tmp_path / "other.png", ["V"])
    status, out, err = run(capsys, "ocr", tmp_path / "page.png", tmp_path / "other.png", "--model", model,
                           "--json", "--top", "2")
    assert status == 0, err
    document = json.loads(out)
    assert document["model"] == str(model) and document["word_context"] is True and document["orientation"] is True
    page, other = document["pages"]
    assert page["page"] == str(tmp_path / "page.png") and other["text"] == "H"
    assert (page["height"], page["width"]) == Image.open(tmp_path / "page.png").size[::-1]
    assert page["text"] == "HH H\nHH" and [line["text"] for line in page["lines"]] == ["HH H", "HH"]
    chars = page["characters"]
    boxes = np.array([[c["box"][k] for k in ("top", "left", "bottom", "right")] for c in chars])
    assert len(chars) == 5 and matched(boxes, true) == 5
    p = expected_probabilities()
    for c in chars:
        assert [t["char"] for t in c["top"]] == ["H", "N"]
        assert [t["p"] for t in c["top"]] == pytest.approx([p["H"], p["N"]], abs=1e-4)
    assert [c["word_start"] for c in chars] == [True, False, True, True, False]


@pytest.mark.parametrize("flag, expected", [([], True), (["--no-orientation"], False)])
def test_pages_are_turned_upright_unless_told_not_to(tmp_path, capsys, model, monkeypatch, flag, expected):
    from nnrec import ocr

    write_page(tmp_path / "page.png", ["HL"])
    asked, extract_text = [], ocr.extract_text
    monkeypatch.setattr(ocr, "extract_text", lambda *a, **kw: asked.append(kw["orientation"]) or extract_text(*a, **kw))
    status, out, err = run(capsys, "ocr", tmp_path / "page.png", "--model", model, "--json", *flag)
    assert status == 0, err
    document = json.loads(out)
    assert asked == [expected] and document["orientation"] is expected
    assert document["pages"][0]["turn"] == 0


def test_the_reader_mlp_judges_which_way_up_another_model_reads(tmp_path, capsys, model, monkeypatch):
    from nnrec import ocr

    reader = constant_model(tmp_path / "reader.npz")
    monkeypatch.setattr(cli, "default_model", lambda: reader)
    assert cli.orientation_judge(model) == reader
    assert cli.orientation_judge(reader) is None  # the reader judges for itself
    assert cli.orientation_judge(model, tmp_path / "other.npz") == tmp_path / "other.npz"

    write_page(tmp_path / "page.png", ["HL"])
    judges, extract_text = [], ocr.extract_text
    monkeypatch.setattr(ocr, "extract_text", lambda *a, **kw: judges.append(kw["judge"]) or extract_text(*a, **kw))
    status, out, err = run(capsys, "ocr", tmp_path / "page.png", "--model", model, "--json")
    assert status == 0, err
    assert callable(judges[-1]) and json.loads(out)["judge"] == str(reader)
    status, out, err = run(capsys, "ocr", tmp_path / "page.png", "--model", model, "--json", "--no-orientation")
    assert judges[-1] is None and json.loads(out)["judge"] is None

    def no_reader():
        raise cli.DataError("no reader model")

    monkeypatch.setattr(cli, "default_model", no_reader)
    assert cli.orientation_judge(model) is None


def test_top_must_be_a_number_of_classes(tmp_path, capsys, model):
    with pytest.raises(SystemExit):
        cli.main(["ocr", "page.png", "--json", "--top", "0"])
    assert "from 1 to 36" in capsys.readouterr().err


def test_boxes_draws_each_page(tmp_path, capsys, model):
    write_page(tmp_path / "a.png", ["HL"])
    write_page(tmp_path / "b.png", ["T"])
    status, _, err = run(capsys, "ocr", tmp_path / "a.png", "--model", model, "--boxes", tmp_path / "found.png")
    assert status == 0, err
    assert Image.open(tmp_path / "found.png").format == "PNG"
    status, _, err = run(capsys, "ocr", tmp_path / "a.png", tmp_path / "b.png", "--model", model,
                         "--boxes", tmp_path / "found.png")
    assert status == 0, err
    assert all(Image.open(tmp_path / f"found-{stem}.png").format == "PNG" for stem in "ab")


def test_boxes_paths_refuse_two_pages_drawn_to_one_file():
    assert cli.boxes_paths("out/{page}_boxes.png", ["x/a.jpg"]) == [Path("out/a_boxes.png")]
    with pytest.raises(cli.DataError, match="distinct file names"):
        cli.boxes_paths("found.png", ["x/page.jpg", "y/page.jpg"])


def test_page_figure_draws_the_sheet_outline_and_numbers_the_lines():
    import matplotlib.pyplot as plt

    from nnrec.plots import ocr as plots

    ink, boxes = draw_page(["HL", "T"])
    sheet = np.array([[5, 4], [190, 8], [185, 170], [3, 160]], float)
    fig = plots.page_boxes(1.0 - ink, boxes, ["H", "L", "T"], [[0, 1], [2]], sheet=sheet)
    ax = fig.axes[0]
    outlines = [p for p in ax.patches if isinstance(p, plt.Polygon)]
    assert len(outlines) == 1 and np.allclose(outlines[0].get_xy()[:4], sheet)
    assert sum(isinstance(p, plt.Rectangle) for p in ax.patches) == 3
    assert [t.get_text() for t in ax.texts] == ["H", "L", "T", "1", "2"]
    plt.close(fig)


def test_default_model_is_found_from_the_working_directory_or_the_repository(tmp_path, monkeypatch):
    elsewhere, repo = tmp_path / "elsewhere", tmp_path / "repo"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr(cli, "repository", lambda: repo)
    with pytest.raises(cli.DataError) as error:
        cli.default_model()
    message = str(error.value)
    assert str(elsewhere / cli.DEFAULT_MODEL) in message and str(repo / cli.DEFAULT_MODEL) in message
    assert "snakemake --cores 4 train_ocr_mlp" in message and f"in {repo}" in message
    constant_model(repo / cli.DEFAULT_MODEL)
    assert cli.default_model() == repo / cli.DEFAULT_MODEL
    constant_model(elsewhere / cli.DEFAULT_MODEL)  # the working directory's own comes first
    assert cli.default_model() == elsewhere / cli.DEFAULT_MODEL


def test_the_package_knows_the_repository_it_runs_from():
    assert cli.repository() == Path(__file__).resolve().parents[1]


def test_the_command_runs_from_any_folder(tmp_path, model):
    write_page(tmp_path / "page.png", ["HL"])
    result = python("-m", "nnrec", "ocr", "page.png", "--model", str(model), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pages"][0]["text"] == "HH"


def test_reading_a_page_imports_neither_pandas_nor_plotting_nor_torch(tmp_path):
    from nnrec.ocr import reader

    write_page(tmp_path / "page.png", ["HL"])
    width = reader.hog_width()
    params = nn.init_network([width, 4, 36], nn.MLP_ACTIVATIONS, np.random.default_rng(0))
    meta = {"deskew": True, "features": "hog", "feature_mean": [0.0] * width, "feature_std": [1.0] * width}
    model_file.save_model(tmp_path / "hog.npz", params, nn.MLP_ACTIVATIONS, meta)
    code = ("import sys; from nnrec import cli, lazy_imports; status = cli.main(['ocr', 'page.png', '--model', 'hog.npz']); "
            "print(sorted({m.split('.')[0] for m in list(sys.modules) if lazy_imports.loaded(m) and (m.split('.')[0] in "
            "('pandas', 'matplotlib', 'torch', 'tqdm') or m.startswith('scipy.stats'))}), status)")
    result = python("-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[] 0"


def test_modules_reading_never_uses_are_not_loaded_even_for_a_sheet_on_a_desk(tmp_path, model):
    ink, _ = draw_page(["HL", "TF"], height=60)
    photo, _, _ = on_desk(photograph(ink, noise=0.01), angle=12, perspective=0.03)
    Image.fromarray(np.round(np.clip(photo, 0, 1) * 255).astype(np.uint8)).save(tmp_path / "desk.png")
    code = ("import sys; from nnrec import cli, lazy_imports; "
            "status = cli.main(['ocr', 'desk.png', '--model', sys.argv[1], '--json']); "
            "import numpy as np; from skimage import measure; square = np.array([[0, 0], [0, 9], [9, 9], [9, 0], [0, 0]]); "
            "corners = len(measure.approximate_polygon(square, 1.0)); "  # a sheet's corners, when something is joined to it
            "print([m for m in lazy_imports.UNUSED_BY_READING if lazy_imports.loaded(m)], corners, status)")
    result = python("-c", code, str(model), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[] 5 0"


def test_a_module_put_off_loads_in_full_when_it_is_used():
    code = ("from nnrec import lazy_imports; lazy_imports.defer(); import numpy; from scipy import signal; "
            "print([lazy_imports.loaded(m) for m in ('numpy.testing', 'scipy.signal')]); "
            "numpy.testing.assert_array_equal([1], [1]); print(signal.convolve([1, 2], [1, 1]).tolist()); "
            "print([lazy_imports.loaded(m) for m in ('numpy.testing', 'scipy.signal', 'numpy.f2py')])")
    result = python("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[False, False]", "[1, 3, 2]", "[True, True, False]"]


def test_pages_are_decoded_one_ahead_in_order_the_first_at_once():
    import threading

    started, release = threading.Event(), threading.Event()
    asked = []

    def read(page):
        asked.append(page)
        started.set()
        release.wait(5)
        if page == "bad":
            raise cli.DataError("bad: not an image file")
        return page.upper()

    images = cli._decoded_ahead(["a", "bad", "c"], read)
    assert started.wait(5)  # the first page is being decoded before anything asks for it
    assert asked == ["a"]
    release.set()
    assert next(images)() == "A"
    with pytest.raises(cli.DataError, match="bad: not an image file"):
        next(images)()
    assert next(images)() == "C"
    assert asked == ["a", "bad", "c"]
    assert list(images) == []


def test_the_ocr_package_loads_its_modules_on_first_use():
    code = ("import sys; import nnrec.ocr.image; print('scipy.ndimage' in sys.modules); "
            "from nnrec import ocr; ocr.extract_text; print('scipy.ndimage' in sys.modules)")
    result = python("-c", code)
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_scipy_loads_without_its_array_api_notes_and_works():
    code = ("from nnrec import lazy_imports; lazy_imports.defer(); print(lazy_imports.skip_array_api_notes()); "
            "import numpy as np; from scipy import ndimage; from scipy._lib import _array_api; "
            "print(ndimage.label.__doc__.splitlines()[0], 'Array API' in ndimage.label.__doc__, "
            "ndimage.label in _array_api.xp_capabilities_table, ndimage.label(np.eye(3) > 0)[1])")
    plain = python("-c", "from scipy import ndimage; print('Array API' in ndimage.label.__doc__)")
    result = python("-c", code)
    assert result.returncode == 0, result.stderr
    assert plain.stdout.split() == ["True"]  # scipy's own import appends the note
    assert result.stdout.splitlines() == ["True", "Label features in an array. False True 3"]


def test_scipy_keeps_its_docstring_parser_when_its_decorator_needs_more_of_it(monkeypatch):
    from scipy._lib import _array_api
    from scipy._lib._docscrape import FunctionDoc as parser

    from nnrec import lazy_imports

    # scipy's own parser, even where a cli test in this process left the stand-in; put back after
    monkeypatch.setattr(_array_api, "FunctionDoc", parser)
    decorator = _array_api.xp_capabilities

    def reads_parameters(**_):
        return lambda function: _array_api.FunctionDoc(function)["Parameters"] and function

    monkeypatch.setattr(_array_api, "xp_capabilities", reads_parameters)
    assert lazy_imports.skip_array_api_notes() is False
    assert _array_api.FunctionDoc is parser
    monkeypatch.setattr(_array_api, "xp_capabilities", decorator)
    assert lazy_imports.skip_array_api_notes() is True
    table = {}

    @_array_api.xp_capabilities(capabilities_table=table)
    def documented():
        """One line.

        Notes
        -----
        Kept."""

    assert documented.__doc__.startswith("One line.") and documented.__doc__.endswith("Kept.")
    assert documented in table
