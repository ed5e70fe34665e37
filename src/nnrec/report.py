"""The report's tables: headline numbers next to published references, run information, and
any CSV drawn as an HTML table for the report page.

A reference number is listed only with the write-up or repository it comes from (its author or
name and URL); each row says whether our measurement used the same data (real NIST36, EMNIST36
from the same NIST source, or the synthetic stand-in; the same four pages; the same Flowers 17
split).
"""

import dataclasses
import html
import importlib.metadata
import json
import math
import numbers
import platform
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd


@dataclasses.dataclass(frozen=True)
class Reference:
    text: str  # e.g. "0.76-0.78"
    source: str  # the write-up or repository: its author or name, and its URL (or the course handout)
    data: str  # what the reference was measured on


# Published numbers, each with the write-up or repository it comes from; keys as used below
# ("mlp_test_acc", "ocr_mlp", "ocr_cnn", "ocr_tesseract", "ae_psnr", "pca_psnr",
# "flowers_finetune", "flowers_scratch"). A number whose source cannot be named is left out:
# its rows show no reference rather than an unsourced one.
REFERENCES: dict[str, Reference] = {}

# Which reference each OCR model of results/q4/ocr_accuracy.csv is compared with.
OCR_REFERENCE = {"mlp": "ocr_mlp", "mlp_q3": "ocr_mlp", "cnn": "ocr_cnn", "tesseract": "ocr_tesseract"}
# Issue #15's target for the composites: every transformation within 3 points of the flat page.
ROBUSTNESS_TARGET = 0.03


def _row(question, quantity, measured, unit, data, reference=None, same_data="", note=""):
    """One summary row; ``reference`` a key of REFERENCES (none listed: the reference cells stay empty)."""
    reference = REFERENCES.get(reference)
    return {
        "question": question,
        "quantity": quantity,
        "measured": measured,
        "unit": unit,
        "data": data,
        "reference": reference.text if reference else "",
        "reference_source": reference.source if reference else "",
        "reference_data": reference.data if reference else "",
        "same_data": same_data,
        "note": note,
    }


def headline_table(paths, character_source):
    """One row per headline number of the pipeline.

    paths: mapping of the inputs (keys as in workflow/rules/report.smk's summary rule) to files.
    character_source: "nist36", "emnist36" or "synthetic", from the data layer's provenance;
    the character rows name it, and say how close it is to the NIST36 of the references.
    """
    from nnrec.data import CHARACTER_DATA

    chars, same_chars = CHARACTER_DATA[character_source].name, CHARACTER_DATA[character_source].same_data
    rows = []

    checks = pd.read_csv(paths["q1_checks"])
    rows.append(_row("Q1", "theory claims that hold numerically", f"{int(checks['holds'].sum())}/{len(checks)}",
                     "claims", "random inputs"))
    grad = pd.read_csv(paths["q2_gradcheck"])
    rows.append(_row("Q2", "gradient check, worst relative error", float(grad["relative_error"].max()), "",
                     "small random net", note="pass threshold 1e-4"))

    q3 = pd.read_csv(paths["q3_summary"]).set_index("lr_name")
    rows.append(_row("Q3", "MLP test accuracy (best learning rate)", float(q3.loc["best", "test_acc"]), "fraction",
                     chars + ", test split", "mlp_test_acc", same_chars))

    ocr = pd.read_csv(paths["q4_ocr"])
    for model, per_model in ocr.groupby("model", sort=False):
        reference = OCR_REFERENCE.get(model, "ocr_cnn")
        overall, accuracy = per_model[per_model["image"] == "overall"], _overall_accuracy(per_model)
        if accuracy is None:
            status = per_model["status"].iloc[0] if "status" in per_model else "not run"
            rows.append(_row("Q4", f"OCR character accuracy, {model}", "skipped", "fraction", "the four HW5 pages",
                             reference, "yes", note=str(status)))
            continue
        pages = per_model[per_model["image"] != "overall"]
        note = "per page: " + ", ".join(f"{r.image} {r.char_accuracy:.3f}" for r in pages.itertuples())
        without = overall["char_accuracy_no_context"].iloc[0] if "char_accuracy_no_context" in overall else None
        if without is not None and not pd.isna(without):
            note += f"; {float(without):.3f} without word context"
        rows.append(_row("Q4", f"OCR character accuracy, {model}", accuracy, "fraction",
                         "the four HW5 pages" + _trained_on(model, chars), reference, "yes", note))

    rows += _dev_rows(paths.get("q4_dev"), chars) + _robustness_rows(paths.get("q4_robustness"))
    rows += _print_face_rows(paths.get("q4_print_faces"), chars)

    reader = json.loads(Path(paths["q4_reader"]).read_text())
    rows.append(_row("Q4", "OCR reader MLP test accuracy (single characters)", float(reader["test_acc"]),
                     "fraction", chars + ", test split", note="the characters as the dataset stores them, "
                     "with the reader's own input steps (deskew, HOG)"))

    ae = pd.read_csv(paths["q5_psnr"]).set_index("class")
    rows.append(_row("Q5", "autoencoder PSNR (homework setup)", float(ae.loc["all", "psnr_mean"]), "dB",
                     chars + ", validation split", "ae_psnr", same_chars))
    pca = pd.read_csv(paths["q6_psnr"]).set_index("class")
    rows.append(_row("Q6", "PCA PSNR (32 components)", float(pca.loc["all", "psnr_mean"]), "dB",
                     chars + ", validation split", "pca_psnr", same_chars))
    comparison = pd.read_csv(paths["q6_comparison"]).set_index("class")
    improved = float(comparison.loc["all", "psnr_ae_improved"])
    rows.append(_row("Q5/Q6", "improved autoencoder PSNR (beyond the homework)", improved, "dB",
                     chars + ", validation split", note=f"same 32-number code; {improved - float(pca.loc['all', 'psnr_mean']):+.2f} dB vs PCA"))

    for run in ("fc", "cnn"):
        metrics = json.loads(Path(paths[f"q7_{run}"]).read_text())
        # the training device is in run_info.csv: this table reads the same on every machine
        rows.append(_row("Q7", f"PyTorch {run.upper()} test accuracy", float(metrics["test_acc"]), "fraction",
                         chars + ", test split"))

    flowers = pd.read_csv(paths["q7_flowers"])
    for r in flowers.itertuples():
        key = "flowers_finetune" if r.pretrained else "flowers_scratch"
        # the fine-tuning reference used SqueezeNet 1.1; another backbone is not the same experiment
        same = "yes"
        if key == "flowers_finetune" and "squeezenet" not in str(r.backbone).lower():
            same = f"same data; backbone {r.backbone}, not SqueezeNet 1.1"
        rows.append(_row("Q7", f"Flowers 17 test accuracy, {r.model}", float(r.test_acc), "fraction",
                         "Flowers 17 (680/340/340)", key, same, note=f"backbone {r.backbone}"))
    return pd.DataFrame(rows)


def _overall_accuracy(per_model):
    """The "overall" row's character accuracy of one model's rows of an OCR accuracy table, or
    None when it has none (not run, skipped)."""
    overall = per_model.loc[per_model["image"] == "overall", "char_accuracy"]
    return None if overall.empty or pd.isna(overall.iloc[0]) else float(overall.iloc[0])


def _trained_on(model, chars):
    return "" if model == "tesseract" else f"; classifier trained on {chars}"


def _per_model(path):
    """(model, its rows) of a results table with a ``model`` column, in the file's order; none
    when there is no such file (a stage not run)."""
    return pd.read_csv(path).groupby("model", sort=False) if path else []


def _lowest(rows, name, value):
    """"<name> <value>" of the row of ``rows`` (other than the overall row) lowest in ``value``."""
    lowest = rows[rows[name] != "overall"].sort_values(value).iloc[0]
    return f"{lowest[name]} {lowest[value]:.3f}"


def _dev_rows(path, chars):
    """Rows of the readers' overall accuracy on the mirror's pages_dev photographs
    (results/q4/ocr_dev.csv), each noting its lowest page."""
    rows = []
    for model, per_model in _per_model(path):
        accuracy = _overall_accuracy(per_model)
        if accuracy is None:
            continue
        note = f"{(per_model['image'] != 'overall').sum()} pages, lowest {_lowest(per_model, 'image', 'char_accuracy')}"
        rows.append(_row("Q4", f"OCR character accuracy on pages_dev, {model}", accuracy, "fraction",
                         "real photos and scans of the mirror's pages_dev (settings were chosen on them)"
                         + _trained_on(model, chars), note=note))
    return rows


def _points(change):
    """A change in accuracy (fraction) in points, signed, one decimal: "-3.6", "+0.0" (not "-0.0"
    for a change that rounds to nothing)."""
    return f"{round(100 * change, 1) + 0.0:+.1f}"


def _interval(row):
    """"-9.4 to -0.7": a robustness row's vs_flat interval over the pages in points, or "" when
    the table has none."""
    low, high = row.get("vs_flat_low", np.nan), row.get("vs_flat_high", np.nan)
    return "" if np.isnan(low) else f"{_points(low)} to {_points(high)}"


def _points_off(row):
    """"camera -3.6", with its interval over the pages in brackets when the table has one."""
    interval = _interval(row)
    return f"{row['transformation']} {_points(row['vs_flat'])}" + (f" ({interval})" if interval else "")


def _robustness_rows(path):
    """Rows of the worst transformation of the composite photographs (results/q4/robustness.csv),
    in points of character accuracy off the flat page, and one of each stress transformation
    (:data:`nnrec.ocr.composite.STRESS`, outside the target) apart."""
    from nnrec.ocr.composite import STRESS
    from nnrec.ocr.evaluate import INTERVAL

    draws = f"{INTERVAL:.0%} of draws of the pages"
    rows = []
    for model, every in _per_model(path):
        stress = every["transformation"].isin(list(STRESS))
        if (~stress).any():
            rows.append(_worst_row(model, every[~stress], draws))
        for _, row in every[stress].iterrows():
            interval = _interval(row)
            rows.append(_row("Q4", f"OCR composites, {row['transformation']} vs flat, {model}",
                             100 * float(row["vs_flat"]), "points",
                             f"the {int(row['n_pages'])} pages {STRESS[row['transformation']]}"
                             + (f", {interval} in {draws}" if interval else ""),
                             note=f"{row['char_accuracy']:.3f}; outside the robustness target"))
    return rows


def _worst_row(model, per_model, draws):
    """The row of ``model``'s worst transformation among ``per_model`` (its robustness rows)."""
    worst = per_model.sort_values("vs_flat").iloc[0]
    off = per_model[per_model["vs_flat"] < -ROBUSTNESS_TARGET]
    flat = per_model.loc[per_model["transformation"] == "flat", "char_accuracy"]
    spread = f" (in brackets: {draws})" if "vs_flat_low" in per_model else ""
    note = (f"flat {flat.iloc[0]:.3f}; " if len(flat) else "") + (
        f"more than {100 * ROBUSTNESS_TARGET:g} points off{spread}: "
        + ", ".join(_points_off(r) for _, r in off.iterrows())
        if len(off) else f"every transformation within {100 * ROBUSTNESS_TARGET:g} points")
    interval = _interval(worst)
    interval = interval and f", {interval} in {draws}"
    return _row("Q4", f"OCR composites, worst transformation vs flat, {model}", 100 * float(worst["vs_flat"]),
                "points", f"photographs made of {int(worst['n_pages'])} pages (on desks, from afar, turned, "
                f"lit, shadowed); worst: {worst['transformation']}{interval}", note=note)


def _print_face_rows(path, chars):
    """Rows of each reader's accuracy on printed capitals of faces no reader trains on
    (results/q4/print_faces.csv), each noting its lowest face."""
    rows = []
    for model, per_model in _per_model(path):
        overall = per_model[per_model["font"] == "overall"].iloc[0]
        data = f"{len(per_model) - 1} print faces no reader trains on, redrawn like page crops"
        note = f"{int(overall['n'])} characters, lowest {_lowest(per_model, 'font', 'accuracy')}"
        rows.append(_row("Q4", f"held-out print faces, character accuracy, {model}", float(overall["accuracy"]),
                         "fraction", data + _trained_on(model, chars), note=note))
    return rows


NOT_A_CHECKOUT = "unknown (not a git checkout)"


def _git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return NOT_A_CHECKOUT


def run_info(config, metrics_files, packages):
    """Key/value rows: code version, software versions, seed, and the device of each training.

    metrics_files: {run name: metrics.json path}; each may hold "device".
    """
    commit = _git("rev-parse", "HEAD")
    changes = _git("status", "--porcelain") if commit != NOT_A_CHECKOUT else NOT_A_CHECKOUT
    rows = [
        ("git commit", commit),
        ("git working tree", {"": "clean", NOT_A_CHECKOUT: NOT_A_CHECKOUT}.get(changes, "uncommitted changes")),
        ("python", platform.python_version()),
        ("platform", platform.platform()),
        ("processor", platform.machine()),
        ("seed", config.get("seed")),
    ]
    for name in packages:
        try:
            rows.append((f"package {name}", importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            rows.append((f"package {name}", "not installed"))
    for run, path in metrics_files.items():
        metrics = json.loads(Path(path).read_text())
        rows.append((f"device {run}", metrics.get("device", "cpu (numpy)")))
    return pd.DataFrame(rows, columns=["key", "value"])


# One look for every table page of the report (each is shown in its own frame).
TABLE_STYLE = """
body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1e293b; margin: 12px; }
h1 { font-size: 15px; margin: 0 0 8px; }
p.note { color: #475569; margin: 0 0 8px; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid #e2e8f0; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f1f5f9; position: sticky; top: 0; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:hover td { background: #f8fafc; }
pre { font: 12px/1.4 ui-monospace, monospace; background: #f8fafc; padding: 8px; }
"""


def _page(title, body, note=""):
    note_html = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<base target="_blank"><style>{TABLE_STYLE}</style></head>\n'
            f"<body><h1>{html.escape(title)}</h1>{note_html}\n{body}\n</body></html>\n")


# a decimal number with a fraction or exponent ("0.7639", "8.4e-09"); whole numbers stay as written
NUMBER = re.compile(r"-?\d+(\.\d+(e[-+]?\d+)?|e[-+]?\d+)")


def _cell(value):
    """A table cell: numbers right-aligned (floats to 4 significant digits), URLs as links, the rest escaped."""
    if value is None or (isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral)
                         and math.isnan(value)):
        return "<td></td>"
    if isinstance(value, (bool, np.bool_)):
        return f"<td>{bool(value)}</td>"
    if isinstance(value, numbers.Real):
        # whole numbers (counts; a float column only because of an empty cell) in full
        whole = isinstance(value, numbers.Integral) or (float(value).is_integer() and abs(value) < 1e15)
        return f'<td class="number">{int(value) if whole else format(float(value), ".4g")}</td>'
    if isinstance(value, str) and NUMBER.fullmatch(value.strip()):  # a number in a text column
        return _cell(float(value))
    text = html.escape(str(value))
    if text.startswith(("http://", "https://")) and " " not in text:
        return f'<td><a href="{text}">{text}</a></td>'
    return f"<td>{text}</td>"


def table_html(table, title, note=""):
    """``table`` (DataFrame) as one self-contained HTML page: a title, an optional note, the table.

    Every row is kept, and every column with a value (the note names the empty ones left out);
    numbers with a fraction are shown to 4 significant digits (the CSV keeps them all), empty
    cells stay empty, and URLs become links that open outside the report.
    """
    empty = [c for c in table.columns if table[c].isna().all() or (table[c].astype(str).str.strip() == "").all()]
    if empty:
        table = table.drop(columns=empty)
        note = "; ".join(filter(None, [note, "empty columns left out: " + ", ".join(map(str, empty))]))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    rows = "\n".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>"
                     for row in table.astype(object).itertuples(index=False))
    return _page(title, f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>", note)


def text_html(text, title, note=""):
    """A text file (e.g. the configuration YAML) as an HTML page, shown verbatim."""
    return _page(title, f"<pre>{html.escape(text)}</pre>", note)
