"""The report's tables: headline numbers next to published references, and run information.

Reference numbers are the published figures the homework's results are usually compared with;
each row says whether our measurement used the same data (real NIST36, EMNIST36 from the same
NIST source, or the synthetic stand-in; the same four pages; the same Flowers 17 split).
"""

import dataclasses
import importlib.metadata
import json
import platform
import subprocess
from pathlib import Path

import pandas as pd

WRITEUPS = "published CMU 16-720 HW5 write-ups (numbers as collected in nnrec issue #7)"


@dataclasses.dataclass(frozen=True)
class Reference:
    text: str  # e.g. "0.76-0.78"
    source: str
    data: str  # what the reference was measured on


REFERENCES = {
    "mlp_test_acc": Reference("0.76-0.78", WRITEUPS, "NIST36 test split"),
    "ocr_mlp": Reference("0.80", WRITEUPS + "; numpy MLP over the four pages", "the four HW5 pages"),
    "ocr_cnn": Reference("0.82-0.94 per page", WRITEUPS + "; EMNIST-trained CNNs", "the four HW5 pages"),
    "ocr_tesseract": Reference("0.51-0.58", WRITEUPS + "; general-purpose Tesseract", "the four HW5 pages"),
    "ae_psnr": Reference("14.6-16.1", WRITEUPS + "; this exact autoencoder", "NIST36 validation split"),
    "pca_psnr": Reference("16.35", WRITEUPS + "; PCA with 32 components", "NIST36 validation split"),
    "flowers_finetune": Reference("0.926-0.935", WRITEUPS + "; fine-tuned SqueezeNet 1.1", "Flowers 17, HW5 split"),
    "flowers_scratch": Reference("0.41-0.79", WRITEUPS + "; HW5 net trained from scratch", "Flowers 17, HW5 split"),
}

# Which reference each OCR model of results/q4/ocr_accuracy.csv is compared with.
OCR_REFERENCE = {"mlp": "ocr_mlp", "mlp_q3": "ocr_mlp", "cnn": "ocr_cnn", "tesseract": "ocr_tesseract"}


def _row(question, quantity, measured, unit, data, reference=None, same_data="", note=""):
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
                     chars + ", test split", REFERENCES["mlp_test_acc"], same_chars))

    ocr = pd.read_csv(paths["q4_ocr"])
    for model, per_model in ocr.groupby("model", sort=False):
        reference = REFERENCES[OCR_REFERENCE.get(model, "ocr_cnn")]
        overall = per_model[per_model["image"] == "overall"]
        if overall.empty or pd.isna(overall["char_accuracy"].iloc[0]):
            status = per_model["status"].iloc[0] if "status" in per_model else "not run"
            rows.append(_row("Q4", f"OCR character accuracy, {model}", "skipped", "fraction", "the four HW5 pages",
                             reference, "yes", note=str(status)))
            continue
        pages = per_model[per_model["image"] != "overall"]
        note = "per page: " + ", ".join(f"{r.image} {r.char_accuracy:.3f}" for r in pages.itertuples())
        without = overall["char_accuracy_no_context"].iloc[0] if "char_accuracy_no_context" in overall else None
        if without is not None and not pd.isna(without):
            note += f"; {float(without):.3f} without word context"
        trained_on = "" if model == "tesseract" else f"; classifier trained on {chars}"
        rows.append(_row("Q4", f"OCR character accuracy, {model}", float(overall["char_accuracy"].iloc[0]),
                         "fraction", "the four HW5 pages" + trained_on, reference, "yes", note))

    reader = json.loads(Path(paths["q4_reader"]).read_text())
    rows.append(_row("Q4", "OCR reader MLP test accuracy (single characters)", float(reader["test_acc"]),
                     "fraction", chars + ", test split", note="the characters as the dataset stores them, "
                     "with the reader's own input steps (deskew, HOG)"))

    ae = pd.read_csv(paths["q5_psnr"]).set_index("class")
    rows.append(_row("Q5", "autoencoder PSNR (homework setup)", float(ae.loc["all", "psnr_mean"]), "dB",
                     chars + ", validation split", REFERENCES["ae_psnr"], same_chars))
    pca = pd.read_csv(paths["q6_psnr"]).set_index("class")
    rows.append(_row("Q6", "PCA PSNR (32 components)", float(pca.loc["all", "psnr_mean"]), "dB",
                     chars + ", validation split", REFERENCES["pca_psnr"], same_chars))
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
                         "Flowers 17 (680/340/340)", REFERENCES[key], same, note=f"backbone {r.backbone}"))
    return pd.DataFrame(rows)


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
