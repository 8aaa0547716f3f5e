"""The customer-value report on Spark (``--input spark:TABLE``) equals the local engine's and the in-memory path's.

Spark runs in local mode, one session for the module (UI off, one shuffle partition). Without Java
(or pyspark) the tests skip with how to enable them; under ``CI=true`` a skip is a failure
(``.ci/run`` installs ``default-jre-headless`` when ``java`` is missing).
"""

import os
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from crm_lessons import datasets
from crm_lessons._validation import CRMInputError
from crm_lessons.reports import customer_value as cv
from crm_lessons.reports._catalogue import get_report
from crm_lessons.reports._engine import prepare_engine
from crm_lessons.reports._prepare import read_and_prepare
from crm_lessons.reports._text import Text

warnings.filterwarnings("ignore", message=".*fetch_arrow_table.*", category=DeprecationWarning)
REPORT = get_report("customer-value")
HOW_TO = ("the Spark tests need pyspark (pip install 'crm-lessons[spark]', in the test lock) and a Java 17+ "
          "runtime: apt-get install default-jre-headless, or set JAVA_HOME. (CI=true makes this skip a failure.)")


def require_spark() -> None:
    """Skip with :data:`HOW_TO` when Java or pyspark is missing; fail instead under ``CI=true``."""
    missing = []
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        missing.append("java")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("pyspark")
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but no {' and no '.join(missing)}: " + HOW_TO)
        pytest.skip(f"no {' and no '.join(missing)}: " + HOW_TO)


@pytest.fixture(scope="module")
def spark():
    require_spark()
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("crm-lessons-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
               .config("spark.default.parallelism", "1").config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "1g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_without_java_the_spark_tests_skip_with_a_how_to_but_fail_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="default-jre-headless"):
        require_spark()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but no java"):
        require_spark()


def test_the_report_on_a_spark_table_equals_the_local_runs(spark, tmp_path):
    """CDNOW (the shipped sample) as a Spark view: the same customers, models and predictions as DuckDB and pandas."""
    df = datasets.load_cdnow(sample=True)[["customer_id", "date", "amount"]]
    df = df.assign(customer_id=df["customer_id"].astype(str), date=df["date"].dt.strftime("%Y-%m-%d"))
    path = tmp_path / "cdnow.parquet"
    df.to_parquet(path, index=False)
    spark.createDataFrame(df).createOrReplaceTempView("cdnow_sample")
    kw = dict(drop_zero_amounts=True, allow_duplicates=True)
    on_spark, as_of = prepare_engine("spark:cdnow_sample", REPORT, **kw)
    local, as_of_local = prepare_engine(path, REPORT, **kw)
    data, as_of_mem = read_and_prepare(path, REPORT, **kw)
    assert as_of == as_of_local == as_of_mem and len(on_spark) == len(local) == len(data)
    tables = [cv.customer_table(d, as_of=as_of, tr=Text("en")) for d in (on_spark, local, data)]
    a, ma = tables[2]
    assert len(a) > 2000
    for b, mb in tables[:2]:
        assert a.index.tolist() == b.index.tolist()
        for c in ("recency", "frequency", "rfm_score", "segment", "status", "abc_class", "tier"):
            assert a[c].astype(str).tolist() == b[c].astype(str).tolist(), c
        for c in ("monetary", "expected_purchases", "expected_spend", "clv", "p_alive"):
            np.testing.assert_allclose(b[c].to_numpy(float), a[c].to_numpy(float), rtol=1e-9, err_msg=c)
        np.testing.assert_allclose(mb.bgnbd.params_.to_numpy(), ma.bgnbd.params_.to_numpy(), rtol=1e-9)


def test_a_bad_spark_table_gives_the_parquet_files_message(spark, tmp_path):
    df = pd.DataFrame({"customer_id": [f"C{i % 5}" for i in range(30)],
                       "date": [f"2024-0{1 + i % 6}-1{i % 9}" for i in range(30)],
                       "amount": [10.0 + i for i in range(30)]})
    df.loc[17, "amount"] = -3.0
    path = tmp_path / "bad.parquet"
    df.to_parquet(path, index=False)
    spark.createDataFrame(df).createOrReplaceTempView("bad")
    with pytest.raises(CRMInputError) as mem:
        read_and_prepare(path, REPORT)
    with pytest.raises(CRMInputError) as on_spark:
        prepare_engine("spark:bad", REPORT)
    assert "row 18: values must be >= 0; found -3.0" in str(mem.value)
    assert str(on_spark.value) == str(mem.value).replace("file 'bad.parquet'", "file 'spark:bad'")
