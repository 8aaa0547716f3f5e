"""environment.yml (conda) and pyproject.toml (pip/uv) must list the same packages and bounds."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in ("test", "book", "spark"):
        reqs += meta["optional-dependencies"][extra]
    out = {}
    for line in reqs:
        r = Requirement(line)
        out[r.name.lower()] = str(r.specifier)
    out["python"] = str(Requirement("python" + meta["requires-python"]).specifier)
    return out


#: PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"playwright": "playwright-python", "duckdb": "python-duckdb"}
#: on PyPI only: environment.yml installs these with pip.
PIP_ONLY = {"django-static-mathjax", "pylopdf-fonts-zh-cn"}


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pypi_name = {conda: pypi for pypi, conda in CONDA_NAMES.items()}
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and dep != "pip":
            r = Requirement(re.sub(r"\s+", "", dep))
            out[pypi_name.get(r.name.lower(), r.name.lower())] = str(r.specifier)
    for dep in _pip_section(env):
        if dep != "-e .":
            r = Requirement(dep)
            assert r.name.lower() in PIP_ONLY, f"{r.name} belongs in the conda list (conda-forge has it)"
            out[r.name.lower()] = str(r.specifier)
    return out


def _pip_section(env) -> list[str]:
    return [d for dep in env["dependencies"] if isinstance(dep, dict) for d in dep["pip"]]


def test_conda_environment_matches_pyproject():
    assert _conda_requirements() == _pyproject_requirements()


def test_conda_environment_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert _pip_section(env)[-1] == "-e ."
    assert env["channels"] == ["conda-forge"]


def test_lock_file_pins_every_direct_dependency_within_bounds():
    pins = dict(
        line.split("==", 1) for line in (ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line and not line.startswith(" ")
    )
    pins = {k.lower(): v.strip() for k, v in pins.items()}
    for name, spec in _pyproject_requirements().items():
        if name == "python":
            continue
        assert name in pins, f"{name} is not pinned in requirements.lock; run `make lock`"
        assert pins[name] in Requirement(f"{name}{spec}").specifier, (
            f"requirements.lock pins {name}=={pins[name]} outside {spec}; run `make lock`")
