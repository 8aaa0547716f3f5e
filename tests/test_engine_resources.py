"""An engine that runs out of memory or of disk gives one plain message, not a traceback, and writes nothing."""

import duckdb
import pandas as pd
import pytest

from crm_lessons.cli import main
from crm_lessons.engine import resource_problem
from crm_lessons.reports import _engine


def test_out_of_memory_and_out_of_disk_are_told_in_plain_words(tmp_path):
    oom = resource_problem(duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block\nmore"), "2GB")
    assert oom.startswith("the engine (DuckDB) ran out of memory under --max-memory 2GB: Out of Memory Error")
    assert "Pass a larger --max-memory" in oom and "\n" not in oom
    disk = resource_problem(duckdb.IOException('Could not write file ".tmp/x.tmp": No space left on device'),
                            None, tmp_path)
    assert disk.startswith(f"the engine (DuckDB) ran out of disk space in {tmp_path} (")
    assert "GB free now" in disk and "the default memory limit" in disk and "TMPDIR" in disk
    # any other error stays what it is (a bug must not be dressed up as a resource problem)
    assert resource_problem(duckdb.IOException("No files found that match the pattern")) is None
    assert resource_problem(KeyError("amount"), "2GB") is None


@pytest.mark.parametrize("error, words", [
    (duckdb.IOException('IO Error: Could not write file "t.tmp": No space left on device'), "ran out of disk space"),
    (duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block"), "ran out of memory"),
])
def test_the_report_command_says_so_and_writes_nothing(tmp_path, monkeypatch, capsys, error, words):
    src = tmp_path / "log.csv"
    pd.DataFrame({"customer_id": [1, 2, 1], "date": ["2024-01-02", "2024-01-03", "2024-02-01"],
                  "amount": [10.0, 20.0, 5.0]}).to_csv(src, index=False)

    def full(*args, **kwargs):
        raise error

    monkeypatch.setattr(_engine, "prepare_engine", full)
    code = main(["report", "customer-value", "--input", str(src), "--out", str(tmp_path / "out"),
                 "--engine", "duckdb", "--max-memory", "1GB"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("error: the engine (DuckDB) " + words) and "Traceback" not in err
    assert "--max-memory 1GB" in err and not (tmp_path / "out").exists()


def test_the_spill_folder_is_removed_after_a_run_and_after_a_bad_file(tmp_path, monkeypatch):
    """DuckDB spills into a temporary folder of its own (its default, ./.tmp, is the analyst's folder); it goes
    when the engine's work ends, also when the file is refused (the exception still held here)."""
    import tempfile

    from crm_lessons._validation import CRMInputError
    from crm_lessons.reports._catalogue import get_report

    home = tmp_path / "tmp"
    home.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(home))
    seen = []
    real = _engine.eng.open_input

    def spy(source, **kw):
        seen.append(kw["temp_directory"])
        assert str(kw["temp_directory"]).startswith(str(home / "crm-engine-spill-"))
        return real(source, **kw)

    monkeypatch.setattr(_engine.eng, "open_input", spy)
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("customer_id,date,amount\n1,2024-01-02,10\n2,2024-01-03,20\n1,2024-02-01,5\n")
    bad.write_text("customer_id,date,amount\n1,2024-01-02,10\n2,2024-13-45,20\n")
    report = get_report("customer-value")
    _engine.prepare_engine(good, report, max_memory="100MB")
    with pytest.raises(CRMInputError, match="line 3") as held:
        _engine.prepare_engine(bad, report, max_memory="100MB")
    assert len(seen) == 2 and not any(home.iterdir()), list(home.iterdir())
    assert held.value is not None
