"""Straightening a page: the angle its lines of text run at, and the turn that makes them level.

Text lines are dense rows of ink with empty rows between them. Projected onto the axis across
the lines at the right angle, the ink piles up into sharp peaks; at any other angle the peaks
smear out. The skew is the angle (within MAX_SKEW of level) whose projection profile is the
sharpest: the largest sum of squared bin counts, bins a fraction of the character height (summed
over several offsets of the bins, so where the bins happen to start does not matter). A
page lying sideways has its lines in columns: then its skew is their tilt off the vertical, and
the quarter turn that is left is :mod:`.orientation`'s to find.

Angles are in degrees, positive when the text rises to the right on screen (y pointing down).
"""

import numpy as np
from skimage import transform

# The search: every COARSE_STEP degrees within +-MAX_SKEW, then every FINE_STEP around the best.
MAX_SKEW = 40.0
COARSE_STEP = 1.0
FINE_STEP = 0.1

# The profile's bins are this fraction of the character height.
BIN = 0.25

# The sharpness is summed over the bins laid at PHASES offsets, a PHASES-th of a bin apart. With
# one set of bins, where the lines' edges fall against the bins' edges moves the sharpness by a
# few percent, as much as a turn of a degree or two: on the ink of the 378 robustness composites
# and pages (before levelling), a change of 6% in the character height (the bin size) moved the
# estimate by 0.7 degrees (median; 2.3 at the 90th percentile) and flipped level or turned on 95
# of them. Over 8 offsets: 0.1 (0.2) degrees and 9 pages, at the same cost. On level synthetic
# pages of two lines, a degree or more of turn was found on 19 of 40 pages of 6 characters, 10 of
# 40 of 10 (one set of bins), against 6 and 2 of 40 (8 offsets).
PHASES = 8

# A turn must sharpen the profile by MIN_GAIN over the level one to count (else level is kept).
MIN_GAIN = 0.01

# Text turned a quarter turn runs in columns: its skew is measured on them (and the quarter turn
# left to :mod:`.orientation`) when they are sharper than any rows by SIDEWAYS_GAIN. Chosen on
# the pages_dev composites: upright or turned up to 25 degrees, the columns' best came to at most
# 0.9 of the rows' best; turned a quarter turn, to 1.37-12 times it (the one page in between,
# 1.17, lined paper whose rules are read as writing under the "combined" composite's light).
# Checking costs a second search (about 30 ms on a page of 100k ink pixels).
SIDEWAYS_GAIN = 0.1

# At most this many ink pixels are projected (a regular subsample of larger pages).
MAX_POINTS = 100_000


def _sharpness(x, y, angles, bin_size):
    """Sum of squared bin counts of the projection of points (x, y) across lines at each angle,
    summed over PHASES offsets of the bins."""
    scores = []
    for angle in np.deg2rad(angles):
        # distance across a line rising at `angle` (y down): constant along that line
        across = y * np.cos(angle) + x * np.sin(angle)
        fine = np.bincount(((across - across.min()) * (PHASES / bin_size)).astype(int))
        # the counts of the bins of bin_size starting at each fine bin: every offset at once
        counts = np.convolve(fine, np.ones(PHASES))
        scores.append(np.dot(counts, counts))
    return np.array(scores)


def estimate_skew(ink, height):
    """Angle in degrees (positive: text rising to the right) that the text lines of an ink mask
    run at, searched within +-MAX_SKEW; for text in columns (a page turned a quarter turn, told by
    columns sharper than any rows by SIDEWAYS_GAIN) the angle they tilt at off the vertical.

    ink: (h, w) bool, True on the characters' ink (leave out page edges and ruled lines: a long
    line is a sharp peak of its own); height: the typical character height in pixels. A page
    with no ink gives 0, and so does one no angle sharpens by MIN_GAIN over level.
    """
    y, x = np.nonzero(ink)
    if len(x) < 2 or height <= 0:
        return 0.0
    step = int(np.ceil(len(x) / MAX_POINTS))
    x, y = x[::step].astype(float), y[::step].astype(float)
    bin_size = max(BIN * height, 1.0)
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + COARSE_STEP / 2, COARSE_STEP)
    sharpness = _sharpness(x, y, coarse, bin_size)
    across = 0.0
    sideways = _sharpness(x, y, coarse + 90.0, bin_size)
    if sideways.max() > (1 + SIDEWAYS_GAIN) * sharpness.max():
        sharpness, across = sideways, 90.0
    level = sharpness[np.argmin(np.abs(coarse))]
    if sharpness.max() < (1 + MIN_GAIN) * level:
        return 0.0
    best = coarse[np.argmax(sharpness)]
    fine = np.arange(best - COARSE_STEP, best + COARSE_STEP + FINE_STEP / 2, FINE_STEP)
    return float(fine[np.argmax(_sharpness(x, y, fine + across, bin_size))])


def level_transform(shape, angle):
    """The turn that levels text rising at ``angle`` degrees in an image of ``shape`` (h, w).

    Returns (transform, out_shape): transform maps (x, y) of the levelled output (large enough
    to hold the whole turned image) to (x, y) of the input, as :func:`skimage.transform.warp`
    takes it.
    """
    h, w = shape
    t = np.deg2rad(angle)
    out_w = int(np.ceil(abs(w * np.cos(t)) + abs(h * np.sin(t))))
    out_h = int(np.ceil(abs(w * np.sin(t)) + abs(h * np.cos(t))))
    to_centre = transform.EuclideanTransform(translation=(-(out_w - 1) / 2, -(out_h - 1) / 2))
    # a line rising at `angle` in the input is level in the output: output -> input turns it
    # back up, i.e. by -angle on screen (counter-clockwise in y-down pixel coordinates)
    turn = transform.EuclideanTransform(rotation=-t)
    from_centre = transform.EuclideanTransform(translation=((w - 1) / 2, (h - 1) / 2))
    return to_centre + turn + from_centre, (out_h, out_w)
