"""The four handwritten test pages of Q4: fetched page by page, each verified on its own."""

import contextlib

from nnrec import DataError
from nnrec.data.fetch import UpstreamZip, fetch_file, read_manifest

PAGES = ("01_list", "02_letters", "03_haiku", "04_deep")
PAGES_URL = "http://www.cs.cmu.edu/~lkeselma/16720a_data/images.zip"
# Where a page lives inside a mirror folder (the layout of ../shared/data).
PAGES_MIRROR_PATH = "images/{name}.jpg"


def fetch_pages(dests, manifest, mirrors, timeout, url=PAGES_URL):
    """Fetch the handwritten test pages; return one :class:`Fetched` per page.

    dests: {page name: destination path}, e.g. {"01_list": "resources/images/01_list.jpg"}.
    manifest: checksum manifest with entries ``images/<name>.jpg``. Upstream, the pages come
    in one zip archive (hash unpublished); each extracted page is verified on its own.
    """
    hashes = read_manifest(manifest, "images/")
    records = []
    with contextlib.ExitStack() as stack:
        archive = UpstreamZip(url, timeout, stack)
        for name, dest in dests.items():
            basename = f"{name}.jpg"
            if basename not in hashes:
                raise DataError(f"{manifest}: no checksum for images/{basename}")
            records.append(
                fetch_file(
                    dest,
                    hashes[basename],
                    PAGES_MIRROR_PATH.format(name=name),
                    mirrors,
                    upstream=lambda b=basename: (archive.extract(b), f"{url}#{b}"),
                    dataset=f"pages/{name}",
                )
            )
    return records
