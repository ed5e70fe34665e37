"""Pretrained Flowers 17 backbone weights: lookup order, hash prefix, the packaged fallback."""

from dataclasses import asdict

import pytest
from data_helpers import closed_port_url, leftovers, sha

from nnrec import DataError, data


def weights_file(folder, blob=b"pretend state dict"):
    """A weights file named as torchvision names them (``name-<sha256 prefix>.pth``) -> its name."""
    name = f"squeezenet1_1-{sha(blob)[:8]}.pth"
    (folder / name).write_bytes(blob)
    return name


def test_backbone_weights_download_then_reuse(tmp_path, http_folder):
    upstream, base = http_folder
    name = weights_file(upstream)
    folder = tmp_path / "resources" / "weights"  # does not exist yet: the fetch makes it
    record = data.fetch_backbone("auto", folder, mirrors=[], timeout=5, url=f"{base}/{name}")
    assert (record.source, record.location) == ("download", f"{base}/{name}")
    assert record.dataset == "flowers17_backbone/squeezenet1_1"
    assert (folder / name).read_bytes() == (upstream / name).read_bytes()
    assert record.sha256 == sha((upstream / name).read_bytes()) and leftovers(folder) == []
    (upstream / name).unlink()  # the second time nothing is downloaded
    again = data.fetch_backbone("auto", folder, mirrors=[], timeout=5, url=f"{base}/{name}")
    assert again.source == "resources" and again.sha256 == record.sha256
    assert data.backbone_weights(asdict(again), folder, url=f"{base}/{name}") == ("squeezenet1_1", folder / name)


def test_backbone_weights_with_the_wrong_hash_are_refused_and_leave_nothing(tmp_path, http_folder):
    upstream, base = http_folder
    name = weights_file(upstream)
    (upstream / name).write_bytes(b"truncated")
    folder = tmp_path / "weights"
    with pytest.raises(DataError, match="does not start with"):
        data.fetch_backbone("auto", folder, mirrors=[], timeout=5, url=f"{base}/{name}")
    assert leftovers(folder) == []


def test_backbone_weights_from_a_mirror_or_the_torch_hub_cache(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "weights").mkdir(parents=True)
    name = weights_file(mirror / "weights")
    url = closed_port_url(name)
    record = data.fetch_backbone("auto", tmp_path / "a", mirrors=[str(mirror)], timeout=1, url=url)
    assert (record.source, record.location) == ("mirror", f"mirror:weights/{name}")

    hub = tmp_path / "torch_home" / "hub" / "checkpoints"
    hub.mkdir(parents=True)
    weights_file(hub)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    record = data.fetch_backbone("squeezenet1_1", tmp_path / "b", mirrors=[], timeout=1, url=url)
    assert (record.source, record.location) == ("resources", f"torch hub cache:checkpoints/{name}")
    assert (tmp_path / "b" / name).is_file()


def test_backbone_offline_falls_back_to_the_packaged_weights_with_a_stable_note(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    notes = set()
    for _ in range(2):  # each unreachable URL has another port: the note must not show it
        record = data.fetch_backbone("auto", tmp_path / "w", mirrors=[], timeout=1,
                                     url=closed_port_url("squeezenet1_1-b8a52dc0.pth"))
        assert record.source == "package" and record.dataset == "flowers17_backbone/efficientnet_lite0"
        notes.add(record.note)
    assert len(notes) == 1 and "could not be had" in notes.pop()
    with pytest.raises(data.DataUnavailable, match="squeezenet1_1 but its weights cannot be had"):
        data.fetch_backbone("squeezenet1_1", tmp_path / "w", mirrors=[], timeout=1,
                            url=closed_port_url("squeezenet1_1-b8a52dc0.pth"))
    with pytest.raises(DataError, match="expected auto or one of"):
        data.fetch_backbone("resnet", tmp_path / "w", mirrors=[], timeout=1)
