"""The report kernel started before a large input is read (``runner._EarlyKernel``).

Its start and imports overlap the reading; the report must be the same as with the kernel papermill
starts, the warm-up must leave no trace in the notebook, and a bad input must stop the kernel.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import nbformat
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.reports import runner

ROOT = Path(__file__).resolve().parents[1]
SALES = ROOT / "tests" / "fixtures" / "reports" / "门店销售_gbk.csv"
KW = dict(lang="zh", as_of="2024-03-31", columns={"customer": "会员号", "date": "消费日期", "amount": "消费金额"})


@pytest.fixture
def started(monkeypatch, tmp_path):
    """Every input counts as large; the kernels started are recorded (with their process ids)."""
    kernels = []

    class Recorded(runner._EarlyKernel):
        def __init__(self, report):
            super().__init__(report)
            self.pid = self.km.provisioner.process.pid
            kernels.append(self)

    monkeypatch.setattr(runner, "_EARLY_KERNEL_BYTES", 0)
    monkeypatch.setattr(runner, "_EarlyKernel", Recorded)
    home = tmp_path / "tmp"
    home.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(home))
    return kernels, home


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] == "Z"


def test_the_early_kernel_gives_the_same_report(started, tmp_path, monkeypatch):
    kernels, home = started
    runner.run_report("customer-value", SALES, tmp_path / "early", **KW)
    assert len(kernels) == 1 and _gone(kernels[0].pid)
    assert not any(home.iterdir())                     # its start folder is removed
    monkeypatch.setattr(runner, "_EARLY_KERNEL_BYTES", 10 ** 15)
    runner.run_report("customer-value", SALES, tmp_path / "usual", **KW)
    assert len(kernels) == 1                          # the usual run started none of its own
    early, usual = tmp_path / "early", tmp_path / "usual"
    names = sorted(p.name for p in (usual / "tables").iterdir())
    assert names and names == sorted(p.name for p in (early / "tables").iterdir())
    for name in names:
        assert (early / "tables" / name).read_bytes() == (usual / "tables" / name).read_bytes(), name
    charts = sorted(p.name for p in (usual / "charts").iterdir())
    assert charts and charts == sorted(p.name for p in (early / "charts").iterdir())
    for name in charts:   # the warm-up's chart changes nothing in the report's charts
        assert (early / "charts" / name).read_bytes() == (usual / "charts" / name).read_bytes(), name
    assert json.loads((early / "figures.json").read_text()) == json.loads((usual / "figures.json").read_text())
    cells = [c for c in nbformat.read(early / "report.ipynb", as_version=4).cells if c.cell_type == "code"]
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1))   # the warm-up is not counted
    assert not list(early.glob("_data*"))


def test_a_bad_input_stops_the_early_kernel(started, tmp_path):
    kernels, home = started
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,date,amount\nA,2024-01-05,10\nB,2024-13-45,20\n", encoding="utf-8")
    with pytest.raises(CRMInputError, match="line 3"):
        runner.run_report("customer-value", bad, tmp_path / "out")
    assert len(kernels) == 1 and _gone(kernels[0].pid)
    assert not (tmp_path / "out").exists() and not any(home.iterdir())


def test_a_failing_warm_up_is_said_not_hidden(started, tmp_path, monkeypatch):
    """A warm-up that fails would only cost time silently: the run stops with what failed."""
    kernels, home = started
    monkeypatch.setattr(runner, "_WARM_UP", "import {module}\nraise ValueError('no fonts here')\n")
    with pytest.raises(runner.ReportError, match="could not start: ValueError: no fonts here"):
        runner.run_report("customer-value", SALES, tmp_path / "out", **KW)
    assert len(kernels) == 1 and _gone(kernels[0].pid)
    assert not (tmp_path / "out").exists() and not any(home.iterdir())
