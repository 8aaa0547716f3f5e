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
    for extra in ("test", "book"):
        reqs += meta["optional-dependencies"][extra]
    out = {}
    for line in reqs:
        r = Requirement(line)
        out[r.name.lower()] = str(r.specifier)
    out["python"] = str(Requirement("python" + meta["requires-python"]).specifier)
    return out


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        # packages conda-forge lacks (a font from PyPI) are listed under pip:, before "-e ."
        for item in ([dep] if isinstance(dep, str) else dep.get("pip", [])):
            if item not in ("pip", "-e ."):
                r = Requirement(re.sub(r"\s+", "", item))
                out[r.name.lower()] = str(r.specifier)
    return out


def test_conda_environment_matches_pyproject():
    assert _conda_requirements() == _pyproject_requirements()


def test_conda_environment_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert len(pip_section) == 1 and pip_section[0]["pip"][-1] == "-e ."
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
