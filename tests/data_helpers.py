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
