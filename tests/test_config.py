"""Config mistakes: one line naming the key or the file (nnrec.config), checked against the real schema."""

import copy
from pathlib import Path

import pytest
import yaml

from nnrec import ConfigError
from nnrec.config import check, check_resource_placeholders, non_finite_numbers, read_config_file
ROOT = Path(__file__).resolve().parents[1]

SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
DEFAULT = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def with_change(path, value):
    """The default config with the value at key path ``path`` (a dotted string) replaced."""
    config = copy.deepcopy(DEFAULT)
    *parents, last = path.split(".")
    node = config
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return config


def test_the_default_config_passes():
    check(DEFAULT, SCHEMA)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinities_are_refused_naming_the_key(value):
    with pytest.raises(ConfigError, match=r"^config: data\.download_timeout_s: NaN and infinite"):
        check(with_change("data.download_timeout_s", value), SCHEMA)


def test_non_finite_numbers_are_found_at_any_depth():
    assert non_finite_numbers({"a": [1.0, {"b": float("nan")}], "c": 2}) == [("a", 1, "b")]
    assert non_finite_numbers({"a": 1e308, "b": "nan"}) == []


@pytest.mark.parametrize("name", ["../evil", "/abs", ".hidden", "a/b", ""])
def test_page_names_that_would_leave_their_folder_are_refused(name):
    with pytest.raises(ConfigError, match=r"^config: ocr\.extra_pages: .* does not match"):
        check(with_change("ocr.extra_pages", {name: "page.jpg"}), SCHEMA)
    check(with_change("ocr.extra_pages", {"my_page-2.v1": "page.jpg"}), SCHEMA)


def test_unknown_keys_are_named_in_one_line():
    config = {**DEFAULT, "bogus": 1}
    with pytest.raises(ConfigError) as caught:
        check(config, SCHEMA)
    message = str(caught.value)
    assert message.startswith("config: bogus: unknown key; expected one of ") and "\n" not in message
    assert "mlp" in message and len(message) < 300
    with pytest.raises(ConfigError, match=r"^config: mlp\.hiden: unknown key"):
        check(with_change("mlp.hiden", 3), SCHEMA)


def test_wrong_types_name_the_key_and_the_value():
    with pytest.raises(ConfigError, match=r"^config: mlp\.epochs: 'many' is not allowed"):
        check(with_change("mlp.epochs", "many"), SCHEMA)


@pytest.mark.parametrize("text, message", [
    ("", "the config file is empty"),
    ("# only a comment\n", "the config file is empty"),
    ("seed: [\n", "YAML syntax error at line 2"),
    ("- a\n- b\n", "expected a mapping of keys at the top level, found a list"),
])
def test_config_files_that_are_not_a_mapping_are_named(tmp_path, text, message):
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=f"^{path}: {message}"):
        read_config_file(path)
    assert read_config_file(ROOT / "config" / "config.yaml") == DEFAULT


class _Resource:
    """Stands in for snakemake.resources.Resource: the value as given is in ``raw``."""

    def __init__(self, raw):
        self.raw = raw


def test_placeholders_left_in_a_profile_are_named_in_one_line():
    with pytest.raises(ConfigError) as caught:
        check_resource_placeholders(
            {"slurm_account": _Resource("<ACCOUNT>"), "mem_mb": _Resource(1000), "tmpdir": _Resource(None)},
            {"fit": {"slurm_partition": "<GPU_PARTITION>"}, "fit_again": {"slurm_partition": _Resource("<GPU_PARTITION>")},
             "plot": {"mem_mb": 100}},
        )
    assert str(caught.value) == (
        "profile: placeholders not filled in: <ACCOUNT> (default-resources slurm_account), <GPU_PARTITION> "
        "(set-resources slurm_partition of fit and 1 more rules); replace each with your cluster's value, "
        "as the profile's first lines say")


def test_filled_in_resources_pass():
    check_resource_placeholders({"slurm_account": _Resource("lab-42"), "slurm_partition": "gpu<2>"},
                                {"fit": {"slurm_extra": "'--constraint=a100'"}})
    check_resource_placeholders(None, {})
