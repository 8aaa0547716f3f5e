"""The package as a user installs it: a clean import graph, every module importable alone,
and a built wheel that carries its data."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import pkgutil
import shutil
import subprocess
import zipfile
import sys
import tomllib
from pathlib import Path

import pytest

import crm_lessons

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "crm_lessons"


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages([str(PACKAGE)], prefix="crm_lessons."))


def _import_graph() -> dict[str, set[str]]:
    """Edges module -> crm_lessons module it imports (at any depth of the file, doctests excluded)."""
    names = set(_modules()) | {"crm_lessons"}
    graph = {}
    for name in names:
        spec = importlib.util.find_spec(name)
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        edges = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("crm_lessons"):
                edges |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in names}
                edges |= {node.module} & names
            elif isinstance(node, ast.Import):
                edges |= {a.name for a in node.names} & names
        graph[name] = edges - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_import_graph_has_no_cycle():
    assert _cycles(_import_graph()) == []


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def test_no_module_imports_a_private_name_of_another_module():
    """Helpers used across modules are public in the module that owns them."""
    bad = []
    for name in _modules():
        tree = ast.parse(Path(importlib.util.find_spec(name).origin).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crm_lessons"):
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    own_package = full.rsplit(".", 1)[0] == name.rsplit(".", 1)[0] or full.startswith(name + ".")
                    if a.name.startswith("_") and not a.name.startswith("__") and not (
                            own_package and _is_module(full)):
                        bad.append(f"{name}: {full}")
    assert bad == []


_THIRD_PARTY = """
import json, sys
import matplotlib
matplotlib.use("Agg")
for name in json.loads(sys.argv[1]):
    __import__(name)
print(json.dumps(sorted(m for m in sys.modules if not m.startswith(("crm_lessons", "__main__")))))
"""

_IMPORT_ALONE = """
import json, os, sys, traceback
import matplotlib
matplotlib.use("Agg")
for name in json.loads(sys.argv[2]):  # every third-party module the package uses, preloaded once; crm_lessons not
    try:
        __import__(name)
    except BaseException:
        pass
assert not any(m.startswith("crm_lessons") for m in sys.modules)
failed = {}
for name in json.loads(sys.argv[1]):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                      # the child: a fresh interpreter state as far as crm_lessons goes
        os.close(r)
        try:
            __import__(name)
            code = 0
        except BaseException:
            os.write(w, traceback.format_exc()[-800:].encode())
            code = 1
        os._exit(code)
    os.close(w)
    with os.fdopen(r) as f:
        message = f.read()
    if os.waitpid(pid, 0)[1] != 0:
        failed[name] = message
print(json.dumps(failed))
"""


def test_each_module_imports_alone_in_a_fresh_interpreter():
    """Each module is imported first, alone, in a forked copy of an interpreter that has no crm_lessons
    (but has every third-party library the package imports, preloaded once: the fork then costs little)."""
    modules = _modules()
    listed = subprocess.run([sys.executable, "-c", _THIRD_PARTY, json.dumps(modules)], capture_output=True,
                            text=True, cwd=ROOT, timeout=600)
    assert listed.returncode == 0, listed.stderr[-2000:]
    out = subprocess.run([sys.executable, "-c", _IMPORT_ALONE, json.dumps(modules), listed.stdout.strip()],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {}
    assert len(modules) > 40


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert found | {"crm_lessons.data"} == listed


def test_the_package_docstring_names_every_module():
    """``help(crm_lessons)`` is the map of the package: every public module is named in it."""
    modules = {m.name for m in pkgutil.iter_modules(crm_lessons.__path__) if not m.name.startswith("_")}
    assert len(modules) > 40
    missing = sorted(m for m in modules if f"``{m}``" not in crm_lessons.__doc__)
    assert not missing, f"add to the module table of crm_lessons/__init__.py: {missing}"


def test_public_names_are_in_all():
    for name in ["crm_lessons.tables", "crm_lessons.models", "crm_lessons._validation", "crm_lessons.values"]:
        mod = importlib.import_module(name)
        assert all(hasattr(mod, n) for n in mod.__all__), name


def _source_tree(tmp_path: Path) -> Path:
    """The files git would put in a fresh clone (tracked or new, not ignored), copied: a stale ``build/lib``
    left by an earlier setuptools build would otherwise slip old files into the wheel."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True)
    if listed.returncode != 0:  # not a git checkout (e.g. an unpacked sdist): build from the folder itself
        return ROOT
    tree = tmp_path / "src"
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)
    return tree


@pytest.mark.skipif(importlib.util.find_spec("uv") is None,
                    reason="needs uv in the environment (make setup installs it) to build and install a wheel")
def test_a_built_wheel_in_a_fresh_environment_loads_every_data_set(tmp_path):
    uv = [sys.executable, "-m", "uv"]
    subprocess.run(uv + ["build", "--wheel", "-q", "-o", str(tmp_path / "dist"), str(_source_tree(tmp_path))],
                   check=True, capture_output=True, timeout=600)
    wheel = next((tmp_path / "dist").glob("crm_lessons-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if "build_datasets" in n or "/tools/" in n]  # the maintainers' builder stays out
    assert "crm_lessons/data/manifest.json" in names
    venv = tmp_path / "venv"
    subprocess.run(uv + ["venv", "-q", str(venv), "--python", sys.executable], check=True, capture_output=True,
                   timeout=300)
    py = venv / "bin" / "python"
    subprocess.run(uv + ["pip", "install", "-q", "--python", str(py), str(wheel), "-c",
                         str(ROOT / "requirements.lock")], check=True, capture_output=True, timeout=900)
    script = ("import json, crm_lessons, crm_lessons.datasets as d\n"
              "m = json.loads((d.DATA_DIR / 'manifest.json').read_text())['datasets']\n"
              "loaders = [n for n in d.__all__ if n.startswith('load_')]\n"
              "rows = {n: len(getattr(d, n)()) for n in loaders}\n"
              "print(json.dumps({'file': crm_lessons.__file__, 'data': str(d.DATA_DIR), 'rows': rows,"
              " 'n_manifest': len(m)}))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CRM_LESSONS_DATA")}
    out = subprocess.run([str(py), "-I", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                         timeout=600, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    info = json.loads(out.stdout)
    assert info["file"].startswith(str(venv)) and info["data"].startswith(str(venv))
    assert len(info["rows"]) >= 10 and all(n > 0 for n in info["rows"].values())


def test_the_data_folder_can_be_set_explicitly(tmp_path):
    code = "import crm_lessons.datasets as d; print(d.DATA_DIR)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env=os.environ | {"CRM_LESSONS_DATA": str(tmp_path)}, timeout=300)
    assert out.stdout.strip() == str(tmp_path)
    assert crm_lessons.__version__
