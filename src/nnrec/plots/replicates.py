"""The seed-spread figure: each headline number once per seed, with its mean and +-1 sd."""

import matplotlib.pyplot as plt
import numpy as np


def spread_figure(table, title="Headline numbers over seeds"):
    """One row per quantity: a dot per seed, a bar at the mean, a line over mean +- sd.

    table: results/replicates.csv (quantity, unit, mean, sd, values as "v1 v2 ..."). Accuracies
    (fractions) and PSNRs (dB) get a panel each, so both read on their own scale.
    """
    units = list(dict.fromkeys(table["unit"]))
    if not units:  # replicates.stages is empty: say so rather than draw no axes
        fig, ax = plt.subplots(figsize=(7.5, 1.2))
        ax.axis("off")
        ax.text(0.5, 0.5, "no trainings replicated (config replicates.stages is empty)", ha="center", va="center")
        return fig
    heights = [max(1, int((table["unit"] == u).sum())) for u in units]
    fig, axes = plt.subplots(len(units), 1, figsize=(7.5, 0.45 * sum(heights) + 1.2 * len(units)),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, unit in zip(axes[:, 0], units):
        rows = table[table["unit"] == unit].reset_index(drop=True)
        for y, row in rows.iterrows():
            values = np.array([float(v) for v in str(row["values"]).split()])
            sd = 0.0 if np.isnan(row["sd"]) else row["sd"]
            ax.plot([row["mean"] - sd, row["mean"] + sd], [y, y], color="0.6", lw=4, solid_capstyle="butt",
                    label="mean +- 1 sd" if y == 0 else None)
            ax.plot(values, np.full(len(values), y), "o", color="C0", ms=5, label="one seed" if y == 0 else None)
            ax.plot([row["mean"]] * 2, [y - 0.25, y + 0.25], color="C3", lw=2, label="mean" if y == 0 else None)
        ax.set_yticks(range(len(rows)), [f"{q} ({row.question}, n={row.n_seeds})" for q, row in
                                         zip(rows["quantity"], rows.itertuples())], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel({"fraction": "accuracy (fraction)", "dB": "PSNR (dB)"}.get(unit, unit))
        ax.legend(fontsize=7, loc="best")
    axes[0, 0].set_title(title)
    fig.tight_layout()
    return fig
