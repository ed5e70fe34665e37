"""The fetch layer: checksums, the lookup order (resources, mirrors, download), archives.

Exercised through :func:`nnrec.data.fetch_pages`, the smallest fetcher. Everything runs on
small files generated here; "upstream" is a local HTTP server (tests/conftest.py) or a closed
port on 127.0.0.1. Neither the network nor ../shared is needed.
"""

import socket
import sys
import time
from pathlib import Path

import pytest
from data_helpers import closed_port_url, leftovers, sha, write_manifest, zip_bytes

from nnrec import DataError, data

PAGE_BYTES = {name: f"fake jpeg of {name}".encode() * 10 for name in data.PAGES}


def write_manifest(path, entries):
    lines = ["# test manifest"] + [f"{digest}  {name}" for name, digest in entries.items()]
    Path(path).write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def pages_manifest(tmp_path):
    return write_manifest(
        tmp_path / "checksums.sha256", {f"images/{n}.jpg": sha(b) for n, b in PAGE_BYTES.items()}
    )


def make_mirror(root, pages=PAGE_BYTES):
    (root / "images").mkdir(parents=True)
    for name, blob in pages.items():
        (root / "images" / f"{name}.jpg").write_bytes(blob)
    return root


# --------------------------------------------------------------------------- checksums


def test_copy_verified_mismatch_names_file_and_hashes_and_leaves_nothing(tmp_path):
    src = tmp_path / "mirror" / "a.jpg"
    src.parent.mkdir()
    src.write_bytes(b"corrupted bytes")
    dest = tmp_path / "resources" / "a.jpg"
    expected = sha(b"the published bytes")
    with pytest.raises(DataError) as error:
        data.copy_verified(src, dest, expected)
    message = str(error.value)
    assert str(src) in message and expected in message and sha(b"corrupted bytes") in message
    assert not dest.exists()
    assert leftovers(dest.parent) == []


def test_copy_verified_match_copies(tmp_path):
    src = tmp_path / "a.bin"
    src.write_bytes(b"abc")
    assert data.copy_verified(src, tmp_path / "out" / "a.bin", sha(b"abc")) == sha(b"abc")
    assert (tmp_path / "out" / "a.bin").read_bytes() == b"abc"


def test_read_manifest_prefix_and_errors(tmp_path):
    path = write_manifest(tmp_path / "m", {"images/a.jpg": "a" * 64, "other/b.jpg": "b" * 64})
    assert data.read_manifest(path, "images/") == {"a.jpg": "a" * 64}
    with pytest.raises(DataError, match="no checksums"):
        data.read_manifest(path, "missing/")
    (tmp_path / "bad").write_text("not a checksum line\n")
    with pytest.raises(DataError, match="line 1"):
        data.read_manifest(tmp_path / "bad")


def test_combined_digest_matches_sha256sum_listing():
    hashes = {"b/x.jpg": "1" * 64, "a/y.jpg": "2" * 64}
    listing = f"{'2' * 64}  ./a/y.jpg\n{'1' * 64}  ./b/x.jpg\n"
    assert data.combined_digest(hashes) == sha(listing.encode())


# --------------------------------------------------------------------------- lookup order


def test_first_mirror_holding_the_file_wins_and_missing_folders_are_skipped(tmp_path, pages_manifest, caplog):
    caplog.set_level("INFO")
    first = make_mirror(tmp_path / "first")
    second = make_mirror(tmp_path / "second")
    mirrors = [str(tmp_path / "does-not-exist"), str(first), str(second)]
    dests = {"01_list": tmp_path / "res" / "01_list.jpg"}
    (record,) = data.fetch_pages(dests, pages_manifest, mirrors, timeout=1, url=closed_port_url("x.zip"))
    assert record.source == "mirror"
    # provenance names the file inside the mirror, never this machine's folder; the log says which
    assert record.location == "mirror:images/01_list.jpg"
    assert f"copied from mirror {first / 'images' / '01_list.jpg'}" in caplog.text
    assert record.dataset == "pages/01_list"
    assert record.sha256 == sha(PAGE_BYTES["01_list"])
    assert dests["01_list"].read_bytes() == PAGE_BYTES["01_list"]


def test_mirror_without_the_file_is_passed_over(tmp_path, pages_manifest, caplog):
    caplog.set_level("INFO")
    empty = tmp_path / "empty"
    empty.mkdir()
    second = make_mirror(tmp_path / "second")
    dests = {"02_letters": tmp_path / "res" / "02_letters.jpg"}
    (record,) = data.fetch_pages(dests, pages_manifest, [str(empty), str(second)], timeout=1)
    assert record.location == "mirror:images/02_letters.jpg"
    assert f"copied from mirror {second / 'images' / '02_letters.jpg'}" in caplog.text


def test_verified_resources_copy_is_preferred_over_mirrors(tmp_path, pages_manifest):
    mirror = make_mirror(tmp_path / "mirror", {n: b"corrupt" for n in PAGE_BYTES})
    dest = tmp_path / "res" / "03_haiku.jpg"
    dest.parent.mkdir()
    dest.write_bytes(PAGE_BYTES["03_haiku"])
    (record,) = data.fetch_pages({"03_haiku": dest}, pages_manifest, [str(mirror)], timeout=1)
    assert (record.source, record.location) == ("resources", str(dest))


def test_stale_resources_copy_is_replaced_from_mirror(tmp_path, pages_manifest):
    mirror = make_mirror(tmp_path / "mirror")
    dest = tmp_path / "res" / "04_deep.jpg"
    dest.parent.mkdir()
    dest.write_bytes(b"half a file")
    (record,) = data.fetch_pages({"04_deep": dest}, pages_manifest, [str(mirror)], timeout=1)
    assert record.source == "mirror"
    assert dest.read_bytes() == PAGE_BYTES["04_deep"]


def test_corrupt_mirror_file_is_an_error_not_skipped(tmp_path, pages_manifest):
    bad = make_mirror(tmp_path / "bad", {n: b"flipped bits" for n in PAGE_BYTES})
    good = make_mirror(tmp_path / "good")
    dest = tmp_path / "res" / "01_list.jpg"
    with pytest.raises(DataError, match="01_list.jpg: sha256 mismatch") as error:
        data.fetch_pages({"01_list": dest}, pages_manifest, [str(bad), str(good)], timeout=1)
    assert str(bad) in str(error.value)
    assert not dest.exists() and leftovers(dest.parent) == []


# --------------------------------------------------------------------------- download


def test_unreachable_upstream_gives_up_within_seconds(tmp_path, pages_manifest):
    url = closed_port_url("images.zip")
    start = time.monotonic()
    with pytest.raises(data.DataUnavailable, match="could not download") as error:
        data.fetch_pages({"01_list": tmp_path / "01_list.jpg"}, pages_manifest, [], timeout=2, url=url)
    assert time.monotonic() - start < 5
    assert url in str(error.value) and "data.mirrors" in str(error.value)
    assert "connection refused by 127.0.0.1" in str(error.value)
    assert not (tmp_path / "01_list.jpg").exists()


def test_silent_upstream_times_out(tmp_path, pages_manifest):
    # listens (the kernel completes the handshake) but never answers
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/images.zip"
        start = time.monotonic()
        with pytest.raises(data.DataUnavailable, match="no answer from 127.0.0.1:[0-9]+ within 0.5 s"):
            data.fetch_pages({"01_list": tmp_path / "p.jpg"}, pages_manifest, [], timeout=0.5, url=url)
        assert time.monotonic() - start < 5


def test_pages_download_from_upstream_zip(tmp_path, pages_manifest, http_folder):
    folder, base = http_folder
    (folder / "images.zip").write_bytes(zip_bytes({f"images/{n}.jpg": b for n, b in PAGE_BYTES.items()}))
    dests = {n: tmp_path / "res" / f"{n}.jpg" for n in data.PAGES}
    records = data.fetch_pages(dests, pages_manifest, [str(tmp_path / "none")], timeout=5, url=f"{base}/images.zip")
    assert [r.source for r in records] == ["download"] * 4
    assert records[0].location == f"{base}/images.zip#01_list.jpg"
    assert all(dests[n].read_bytes() == PAGE_BYTES[n] for n in data.PAGES)


def test_corrupt_download_is_rejected(tmp_path, pages_manifest, http_folder):
    folder, base = http_folder
    (folder / "images.zip").write_bytes(zip_bytes({"01_list.jpg": b"wrong"}))
    dest = tmp_path / "res" / "01_list.jpg"
    with pytest.raises(DataError, match="sha256 mismatch"):
        data.fetch_pages({"01_list": dest}, pages_manifest, [], timeout=5, url=f"{base}/images.zip")
    assert not dest.exists() and leftovers(dest.parent) == []



@pytest.mark.parametrize("hostile", ["absolute", "dotdot"])
def test_zip_members_cannot_escape_the_extraction_folder(tmp_path, pages_manifest, http_folder, hostile):
    """A member named /abs/path/01_list.jpg or ../../x/01_list.jpg is extracted inside the scratch folder."""
    folder, base = http_folder
    escape = tmp_path / "escape" / "01_list.jpg"
    name = str(escape) if hostile == "absolute" else "../" * 40 + str(escape).lstrip("/")
    (folder / "images.zip").write_bytes(zip_bytes({name: PAGE_BYTES["01_list"]}))
    dest = tmp_path / "res" / "01_list.jpg"
    (record,) = data.fetch_pages({"01_list": dest}, pages_manifest, [], timeout=5, url=f"{base}/images.zip")
    assert record.source == "download" and dest.read_bytes() == PAGE_BYTES["01_list"]
    assert not escape.parent.exists()


def test_download_that_is_not_a_zip_is_an_error(tmp_path, pages_manifest, http_folder):
    folder, base = http_folder
    (folder / "images.zip").write_bytes(b"<html>moved</html>")
    with pytest.raises(DataError, match="downloaded file is not a zip archive"):
        data.fetch_pages({"01_list": tmp_path / "p.jpg"}, pages_manifest, [], timeout=5, url=f"{base}/images.zip")


def test_sha256_file_is_the_sha256_of_the_bytes(tmp_path):
    (tmp_path / "f").write_bytes(b"x" * 100_000)
    assert data.sha256_file(tmp_path / "f") == sha(b"x" * 100_000)


# --------------------------------------------------------------------------- the rule itself

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.workflow
def test_fetch_pages_rule_stops_on_corrupt_mirror_file(tmp_path):
    """`snakemake fetch_pages` in a scratch working directory whose only mirror is corrupt."""
    import subprocess

    import yaml

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text((REPO / "config" / "config.yaml").read_text())
    make_mirror(tmp_path / "mirror", {n: b"corrupted" for n in data.PAGES})
    overrides = {"data": {"mirrors": ["missing-folder", "mirror"], "download_timeout_s": 2}}
    (tmp_path / "data.yaml").write_text(yaml.safe_dump(overrides))
    command = [str(Path(sys.executable).parent / "snakemake"), "--snakefile", str(REPO / "Snakefile"),
               "fetch_pages", "--cores", "1", "--configfile", "data.yaml"]  # fmt: skip
    expected = data.read_manifest(REPO / "workflow" / "resources" / "checksums.sha256", "images/")["01_list.jpg"]

    failed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert f"mirror/images/01_list.jpg: sha256 mismatch: found {sha(b'corrupted')}, expected {expected}" in output
    assert not (tmp_path / "resources" / "images").exists() or not any((tmp_path / "resources" / "images").iterdir())
