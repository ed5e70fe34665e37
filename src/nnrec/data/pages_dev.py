"""pages_dev: real photographs and scans of handwritten capitals with their true text, for
development and scoring only (never training). Mirror-only: there is no upstream download,
so the pipeline scores them when a mirror folder holds them and skips them otherwise.

The images are read where the mirror keeps them (they are never copied into resources/);
each is checked against the sha256 that ``truth.json`` gives for it before it is scored.
"""

import json
from pathlib import Path

from nnrec import DataError
from nnrec.data.fetch import check_sha256, find_in_mirrors

# Where the set lives inside a mirror folder (the layout of ../shared/data).
PAGES_DEV_TRUTH = "pages_dev/truth.json"


def find_pages_dev(mirrors):
    """Folder of the first mirror holding ``pages_dev/truth.json``, or None when none does.

    mirrors: folders in search order (config data.mirrors; relative to the working
    directory). Cheap enough to call while a workflow is being parsed.
    """
    truth = find_in_mirrors(PAGES_DEV_TRUTH, mirrors)
    return None if truth is None else truth.parent


def read_pages_dev(folder, names=None):
    """The pages of a pages_dev folder: {name: {"path", "text", "sha256"}}, in truth.json order.

    name is the file's stem (e.g. ``card_on_desk_hello_world``); text is the entry's
    ``lines`` joined by newlines; names: keep only these (all when None), in the order given.
    A malformed truth.json, an entry without file or lines, or an unknown name raises
    DataError naming the file.
    """
    folder = Path(folder)
    truth = folder / "truth.json"
    try:
        entries = json.loads(truth.read_text())
    except (OSError, ValueError) as error:
        raise DataError(f"{truth}: cannot be read as JSON ({error}); expected a list of page entries") from None
    if not isinstance(entries, list):
        raise DataError(f"{truth}: holds a {type(entries).__name__}; expected a list of page entries")
    pages = {}
    for number, entry in enumerate(entries):
        if not (isinstance(entry, dict) and isinstance(entry.get("file"), str)
                and isinstance(entry.get("lines"), list)):
            raise DataError(f"{truth}: entry {number} has no 'file' string and 'lines' list")
        pages[Path(entry["file"]).stem] = {"path": str(folder / entry["file"]),
                                           "text": "\n".join(entry["lines"]),
                                           "sha256": entry.get("sha256")}
    if names is None:
        return pages
    unknown = [name for name in names if name not in pages]
    if unknown:
        raise DataError(f"{truth}: no page named {', '.join(unknown)}; expected names among {', '.join(pages)}")
    return {name: pages[name] for name in names}


def check_pages_dev(pages):
    """Verify each page of :func:`read_pages_dev` against its sha256 (entries without one are
    only checked to exist); a mismatch or a missing file raises DataError naming it."""
    for page in pages.values():
        if not Path(page["path"]).is_file():
            raise DataError(f"{page['path']}: listed in truth.json but missing")
        if page["sha256"]:
            check_sha256(page["path"], page["sha256"])
