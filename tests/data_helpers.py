"""Small helpers of the data-layer tests (test_data_*.py): hashes, manifests, archives, ports."""

import hashlib
import io
import socket
import zipfile
from pathlib import Path

from scipy.io import savemat


def sha(blob):
    """Hex sha256 of ``blob`` (bytes)."""
    return hashlib.sha256(blob).hexdigest()


def leftovers(folder):
    """Temporary files the atomic writers would leave behind on failure."""
    return [p for p in Path(folder).rglob("*") if p.name.startswith(".") or p.suffix == ".part"]


def write_manifest(path, entries):
    """Write {relative path: sha256} as a ``sha256sum``-format manifest; return ``path``."""
    lines = ["# test manifest"] + [f"{digest}  {name}" for name, digest in entries.items()]
    Path(path).write_text("\n".join(lines) + "\n")
    return path


def closed_port_url(name):
    """A URL on 127.0.0.1 whose port nobody listens on (connection refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"


def zip_bytes(members):
    """The bytes of a zip archive holding {member name: bytes}, names written as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return buffer.getvalue()


def write_raw(path, mapping):
    """A .mat file of ``mapping`` exactly as given (no validation); return ``path``."""
    savemat(path, mapping)
    return path


def make_emnist36_mirror(root, rows=36, seed=0):
    """A mirror folder ``root`` with tiny ``emnist36/<split>.mat`` files and a manifest of them.

    Each split has ``rows`` random rows with labels cycling A..9. Returns (mirror folder,
    manifest path); the manifest sits beside the mirror, not in it.
    """
    import numpy as np

    from nnrec import data
    from nnrec.charset import one_hot

    rng = np.random.default_rng(seed)
    folder = Path(root) / "emnist36"
    folder.mkdir(parents=True)
    for split in data.CHARACTER_SPLITS:
        X = rng.random((rows, 1024)).astype(np.float32)
        data.save_split(folder / f"{split}.mat", split, X, one_hot(np.arange(rows) % 36))
    hashes = {f"emnist36/{s}.mat": sha((folder / f"{s}.mat").read_bytes()) for s in data.CHARACTER_SPLITS}
    return Path(root), write_manifest(Path(root).parent / f"{Path(root).name}.sha256", hashes)
