"""The README's results table, generated from results/summary.csv, never typed by hand.

    python -m nnrec.readme results/summary.csv README.md      (or: make readme)

rewrites the lines between ``<!-- results:start -->`` and ``<!-- results:end -->`` of the README
with one row per headline number: the measurement (mean +- sd over seeds where the training was
replicated), the published reference with its source where there is one, and whether it was
measured on the homework's data.
"""

import sys
from pathlib import Path

import pandas as pd

START, END = "<!-- results:start -->", "<!-- results:end -->"


def _number(value, unit):
    if unit == "fraction":
        return f"{value:.3f}"
    if unit == "dB":
        return f"{value:.1f} dB"
    if unit == "points":
        return f"{value:+.1f} points"
    return f"{value:.1e}" if abs(value) < 1e-3 else f"{value:.3g}"


def measured_text(row):
    """The measured cell: the main run's number, and the spread when several seeds ran."""
    measured = pd.to_numeric(pd.Series([row["measured"]]), errors="coerce").iloc[0]
    if pd.isna(measured):
        return str(row["measured"])
    text = _number(measured, row["unit"])
    n_seeds = row.get("n_seeds")
    if not pd.isna(n_seeds) and int(n_seeds) > 1:
        spread = f"{row['sd']:.3f}" if row["unit"] == "fraction" else f"{row['sd']:.2g}"
        text += f" (mean {_number(row['mean'], row['unit'])} +- {spread}, {int(n_seeds)} seeds)"
    return text


def results_table(summary):
    """summary.csv (DataFrame) -> the README's markdown table, one line per row.

    The published-reference column (the number, its data and its source) is shown only when
    some row has a reference.
    """
    text_columns = ["reference", "reference_data", "reference_source", "data", "same_data"]
    summary = summary.assign(**{c: summary[c].map(lambda v: "" if pd.isna(v) else str(v)) if c in summary else ""
                                for c in text_columns})
    with_reference = bool((summary["reference"] != "").any())
    header = ["", "measured", *(["published reference"] if with_reference else []), "data", "same data as HW5?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for _, row in summary.iterrows():
        cells = [f"{row['question']} {row['quantity']}", measured_text(row)]
        if with_reference:
            reference = row["reference"] + (f" ({row['reference_data']})" if row["reference_data"] else "")
            if row["reference"] and row["reference_source"]:
                reference += f"; {row['reference_source']}"
            cells.append(reference)
        cells += [row["data"], row["same_data"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def with_results(readme_text, table):
    """``readme_text`` with the table put between the START and END markers (ValueError without them)."""
    head, start, rest = readme_text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the README has no {START} ... {END} block")
    return f"{head}{START}\n{table}\n{END}{tail}"


def main(argv=None):
    summary_path, readme_path = (argv or sys.argv[1:]) or ("results/summary.csv", "README.md")
    readme = Path(readme_path)
    readme.write_text(with_results(readme.read_text(), results_table(pd.read_csv(summary_path))))


if __name__ == "__main__":
    main()
