"""Run a report: validate the input, execute its notebook, export HTML and tables.

One run::

    read + validate (crm_lessons.io / _prepare)  ->  canonical data in a temp dir
    -> papermill executes the report notebook     ->  report.ipynb, tables/*.csv
    -> nbconvert HTML without code cells          ->  report.html
    -> the finished directory is renamed to --out (nothing is left on failure)

A batch runs one report per group of a column (``by``) or per file of a folder,
in parallel processes, and writes ``index.html`` linking every report with its
status; a failing run is listed with its message and does not stop the others.
"""

from __future__ import annotations

import html
import json
import re
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

from crm_lessons._validation import CRMInputError
from crm_lessons.engine import choose_engine, is_engine_table, resource_problem
from crm_lessons.values import NOTES_ATTR
from crm_lessons.io import READABLE_SUFFIXES, atomic_output_dir, safe_filename, write_csv_safe
from crm_lessons.reports._prepare import read_and_prepare
from crm_lessons.reports._catalogue import get_report
from crm_lessons.reports._registry import Report
from crm_lessons.reports._text import Text
from crm_lessons.reports.results import load_data, save_data

__all__ = ["ReportError", "RunStatus", "execute_report", "run_batch", "run_report"]

DATA_FILE = "_data.parquet"
FIGURES_FILE = "figures.json"


class ReportError(RuntimeError):
    """A report notebook failed while running; the message says which step and why."""


@dataclass
class RunStatus:
    """Outcome of one run of a batch."""

    label: str
    folder: str
    status: str  # "ok" or "failed"
    message: str = ""
    rows: int = 0
    seconds: float = 0.0
    figures: dict = None  # the report's key figures as numbers (figures.json), for the index


def _notebook_error(exc) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}" if ename != "CRMInputError" else str(evalue)


def _quiet_kernel_manager():
    """A kernel manager whose kernel's own stderr (start-up chatter) is discarded.

    Cell output, including warnings, still reaches the notebook through the
    messaging channel.
    """
    import subprocess

    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super().start_kernel(**kw)

    return QuietKernelManager


#: inputs at least this large get their report kernel started before the file is read (bytes)
_EARLY_KERNEL_BYTES = 20_000_000


#: what the early kernel runs while the file is read: the report's imports and a first chart (fonts loaded)
_WARM_UP = """\
import {module}, crm_lessons.reports.results, crm_lessons.reports._charts, scipy.optimize
crm_lessons.reports._charts.render_png(lambda ax: ax.plot([0, 1]), title="客户 RFM", footnote="n = 1")
"""


class _EarlyKernel:
    """The report's kernel, started before the input is read so that its start and imports overlap the reading.

    On two cores this takes the kernel's start (about 2 s), the imports of the report's modules (pandas,
    matplotlib, scipy) and its first chart (the fonts; about 4 s together) off the wall time of a large
    report. The warm-up runs as a silent request (no output, no execution count); :meth:`enter` then
    moves the kernel into the output folder, which exists only once the input has been read.
    :meth:`close` stops the kernel whatever happened (a bad input stops it before anything is written).
    """

    def __init__(self, report: Report):
        from jupyter_client import BlockingKernelClient
        from jupyter_core.utils import run_sync

        self._run_sync = run_sync
        self._home = tempfile.mkdtemp(prefix="crm-kernel-")   # not the analyst's folder: nothing is imported from it
        self.km = _quiet_kernel_manager()(kernel_name="python3")
        run_sync(self.km.start_kernel)(cwd=self._home)
        self.kc = BlockingKernelClient()
        self.kc.load_connection_info(self.km.get_connection_info())
        self.kc.start_channels()
        self._warm_up = self.kc.execute(_WARM_UP.format(module=report.module), silent=True)

    def enter(self, folder: Path, timeout: float = 300) -> None:
        """Wait until the kernel is up and has imported the modules, then make ``folder`` its working folder."""
        msg_id = self.kc.execute(f"import os as _os; _os.chdir({str(folder)!r}); del _os", silent=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self.kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.01))
            except Exception:   # queue.Empty: the kernel did not answer in time
                raise ReportError(f"the report kernel did not start within {timeout:.0f} s") from None
            parent = reply["parent_header"].get("msg_id")
            if parent in (self._warm_up, msg_id) and reply["content"].get("status") != "ok":
                content = reply["content"]
                raise ReportError(f"the report kernel could not start: {content.get('ename', '')}: "
                                  f"{content.get('evalue', '')}")
            if parent == msg_id:
                return

    def close(self) -> None:
        """Stop the kernel and remove its start folder."""
        import shutil

        self.kc.stop_channels()
        if self.km.has_kernel:
            self._run_sync(self.km.shutdown_kernel)(now=True)
        shutil.rmtree(self._home, ignore_errors=True)


def _early_kernel(report: Report, input_path) -> _EarlyKernel | None:
    """An :class:`_EarlyKernel` for a large input file or an engine table, else None (papermill starts one)."""
    if not is_engine_table(input_path):
        path = Path(input_path)
        if not path.is_file() or path.stat().st_size < _EARLY_KERNEL_BYTES:
            return None
    return _EarlyKernel(report)


def execute_report(report: Report, data: pd.DataFrame, folder: Path, *, as_of, params: dict,
                   meta: dict | None = None, lang: str = "en", currency: str = "¥", label: str = "",
                   kernel: _EarlyKernel | None = None) -> None:
    """Execute ``report`` on canonical ``data`` and write its outputs into ``folder``.

    Writes ``report.ipynb`` (executed), ``report.html`` (no code cells),
    ``tables/*.csv`` and ``tables.xlsx``, ``charts/*.png`` (saved by the notebook)
    and ``run.json`` (what was run). What was converted when the file was read
    (``data.attrs["crm_notes"]``) is listed in the report's notes. ``kernel``: a kernel
    already started (:class:`_EarlyKernel`), else papermill starts one.
    """
    import logging

    from crm_lessons.cli import skip_slow_imports

    skip_slow_imports()   # (a batch's worker processes start without the command's setting)
    import papermill as pm
    from nbconvert import HTMLExporter

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)  # "alternative text is missing" on charts

    folder = Path(folder)
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    written = save_data(data, folder / DATA_FILE)
    notes = list(data.attrs.get(NOTES_ATTR, []))
    parameters = dict(data_path=DATA_FILE, tables_dir="tables", charts_dir="charts",
                      as_of="last" if as_of is None else str(pd.Timestamp(as_of).date()), lang=lang,
                      currency=currency, input_notes=json.dumps(notes, ensure_ascii=False), label=label, **params)
    try:
        if kernel is not None:
            kernel.enter(folder)
        pm.execute_notebook(str(report.notebook), str(folder / "report.ipynb"), parameters=parameters,
                            kernel_name="python3", progress_bar=False, log_output=False, cwd=str(folder),
                            kernel_manager_class=_quiet_kernel_manager(),
                            **({"km": kernel.km} if kernel is not None else {}))
    except pm.PapermillExecutionError as exc:
        raise ReportError(f"report '{report.name}' failed: {_notebook_error(exc)}") from None
    finally:
        for f in written:
            f.unlink(missing_ok=True)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_filename(str(folder / "report.ipynb"))
    (folder / "report.html").write_text(offline_html(body), encoding="utf-8")
    info = {"report": report.name, "as_of": parameters["as_of"], "lang": lang, "params": params,
            "rows": int(len(data)), "converted": [n[0] for n in notes]}
    info.update(meta or {})
    (folder / "run.json").write_text(json.dumps(info, ensure_ascii=False, indent=2, default=str),
                                     encoding="utf-8")


def offline_html(html: str) -> str:
    """The exported report without the scripts nbconvert loads from CDNs (require.js, MathJax).

    A report has no maths and no widgets, and must open on a machine without network.

    >>> offline_html('<script src="https://cdn.example/require.js"></script><p>ok</p>')
    '<p>ok</p>'
    """
    html = re.sub(r"<!-- MathJax configuration -->.*?<!-- End of mathjax configuration -->", "", html, flags=re.S)
    return re.sub(r'<script\s+src="https?://[^"]*"\s*>\s*</script>', "", html)


def run_report(name: str, input_path, out, *, columns: dict | None = None, as_of=None,
               params: dict | None = None, sheet=None, header_row=None, overwrite: bool = False,
               today=None, allow_duplicates: bool = False, lang: str = "en", currency: str = "¥",
               date_format: str | None = None, drop_zero_amounts: bool = False, engine: str = "auto",
               max_memory=None) -> Path:
    """Validate ``input_path`` and write the report ``name`` to the directory ``out``.

    ``engine`` (``auto``, ``pandas``, ``duckdb``) and ``max_memory`` choose where the
    per-transaction work runs (:func:`crm_lessons.engine.choose_engine`); an engine
    table (``spark:TABLE``, ``duckdb:FILE:TABLE``) always runs in its engine.

    Returns the output directory. Raises :class:`CRMInputError` for a bad
    input (before anything is written) and :class:`ReportError` when the
    analysis fails; in both cases ``out`` is not created.
    """
    report = get_report(name)
    params = report.parse_params(params)
    Text(lang)  # checks the language
    _check_out(input_path, out, overwrite)
    kw = dict(columns=columns, as_of=as_of, today=today, params=params, allow_duplicates=allow_duplicates,
              date_format=date_format, drop_zero_amounts=drop_zero_amounts)
    used = choose_engine(input_path, engine, max_memory)
    if used != "pandas" and report.name != "customer-value":
        if engine == "auto" and not is_engine_table(input_path):
            used = "pandas"
        else:
            raise CRMInputError(f"argument `--engine`: only the customer-value report runs on an engine; found "
                                f"report '{name}' with {input_path if is_engine_table(input_path) else engine!r}. "
                                "Pass a file with --engine pandas.")
    kernel = _early_kernel(report, input_path)
    try:
        if used == "pandas":
            data, as_of = read_and_prepare(input_path, report, sheet=sheet, header_row=header_row, **kw)
        else:
            from crm_lessons.reports._engine import prepare_engine
            try:
                data, as_of = prepare_engine(input_path, report, max_memory=max_memory, **kw)
            except Exception as exc:
                problem = resource_problem(exc, max_memory)
                if problem is None:
                    raise
                raise ReportError(problem) from None
        with atomic_output_dir(out, overwrite=overwrite) as tmp:
            execute_report(report, data, tmp, as_of=as_of, params=params, lang=lang, currency=currency,
                           meta={"input": Path(input_path).name, "columns": columns or {}, "engine": used},
                           kernel=kernel)
    finally:
        if kernel is not None:
            kernel.close()
    return Path(out)


def _check_out(input_path, out, overwrite) -> None:
    """The output must not contain, or be, the input."""
    src = Path(input_path).resolve()
    dst = Path(out).resolve()
    if dst == src or src.is_relative_to(dst) or (src.is_dir() and dst.is_relative_to(src)):
        raise CRMInputError(
            f"argument `out`: must be a new directory outside the input; found '{out}' overlapping the "
            f"input '{input_path}'. Choose an output directory elsewhere, so the input is never touched."
        )
    if Path(out).exists() and not overwrite:
        raise CRMInputError(
            f"argument `out`: the output directory must not exist yet; found '{Path(out).absolute()}'. "
            "Choose a new --out directory, or pass --overwrite to replace an earlier report."
        )
    parent = next((p for p in Path(out).absolute().parents if p.exists()), None)
    if parent is not None and not (parent.is_dir() and os.access(parent, os.W_OK | os.X_OK)):
        raise CRMInputError(
            f"argument `out`: cannot create the output directory; found '{parent}' is not a folder you can "
            "write to (permission denied). Choose an --out directory in a folder you can write to."
        )


# --------------------------------------------------------------------------- batch
def _run_job(job: dict) -> dict:
    """Worker: one report into ``job['dest']``; returns a RunStatus as dict (never raises)."""
    start = time.perf_counter()
    status = RunStatus(label=job["label"], folder=job["folder"], status="failed")
    try:
        report = get_report(job["name"])
        if "data_file" in job:
            data = load_data(job["data_file"])
            as_of = job["as_of"]
        else:
            data, as_of = read_and_prepare(job["input"], report, columns=job["columns"], as_of=job["as_of"],
                                           sheet=job["sheet"], header_row=job["header_row"], today=job["today"],
                                           params=job["params"], allow_duplicates=job["allow_duplicates"],
                                           date_format=job["date_format"], drop_zero_amounts=job["drop_zero_amounts"])
        status.rows = int(len(data))
        with atomic_output_dir(job["dest"]) as tmp:
            execute_report(report, data, tmp, as_of=as_of, params=job["params"], meta=job["meta"],
                           lang=job["lang"], currency=job["currency"], label=job["label"])
            status.figures = json.loads((tmp / FIGURES_FILE).read_text(encoding="utf-8"))
        status.status = "ok"
    except (CRMInputError, ReportError) as exc:
        status.message = str(exc)
    except Exception as exc:  # a bug or a helper's error: report it, keep the batch going
        status.message = f"{type(exc).__name__}: {exc}"
    status.seconds = round(time.perf_counter() - start, 2)
    return asdict(status)


def _unique_folders(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        base = safe_filename(label)
        key = base.lower()
        seen[key] = seen.get(key, 0) + 1
        out.append(base if seen[key] == 1 else f"{base}-{seen[key]}")
    return out


def run_batch(name: str, input_path, out, *, by: str | None = None, columns: dict | None = None, as_of=None,
              params: dict | None = None, jobs: int | None = None, sheet=None, header_row=None,
              overwrite: bool = False, progress: bool = True, today=None,
              allow_duplicates: bool = False, lang: str = "en", currency: str = "¥",
              date_format: str | None = None, drop_zero_amounts: bool = False) -> list[RunStatus]:
    """One report per group of column ``by`` of one file, or per file of the folder ``input_path``.

    Runs in ``jobs`` processes (default: the number of cores), shows a tqdm
    progress bar on stderr, and writes ``index.html`` and ``index.csv``
    listing every run with its status and message. Failed runs leave no
    folder; the others are unaffected.
    """
    from tqdm.auto import tqdm

    report = get_report(name)
    params = report.parse_params(params)
    _check_out(input_path, out, overwrite)
    jobs = int(jobs or os.cpu_count() or 1)
    if jobs < 1:
        raise CRMInputError(f"argument `--jobs`: must be >= 1; found {jobs}. Pass e.g. --jobs 2.")
    path = Path(input_path)
    Text(lang)  # checks the language
    base = dict(name=name, columns=columns or {}, params=params, sheet=sheet, header_row=header_row,
                today=today, allow_duplicates=allow_duplicates, lang=lang, currency=currency,
                date_format=date_format, drop_zero_amounts=drop_zero_amounts)
    with tempfile.TemporaryDirectory(prefix="crm-batch-") as work, \
            atomic_output_dir(out, overwrite=overwrite) as tmp:
        job_list = []
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in READABLE_SUFFIXES
                           and not p.name.startswith((".", "~$")))
            if not files:
                raise CRMInputError(
                    f"argument `--input`: the folder holds no readable table; found '{path}'. "
                    f"Put files of type {', '.join(READABLE_SUFFIXES)} in it."
                )
            labels = [p.stem for p in files]
            for p, label, folder in zip(files, labels, _unique_folders(labels)):
                job_list.append(dict(base, label=label, folder=folder, input=str(p), as_of=as_of,
                                     dest=str(tmp / folder), meta={"input": p.name, "columns": columns or {}}))
        else:
            if by is None:
                raise CRMInputError(
                    "argument `--by`: a batch needs a column to split by or a folder of files; found neither. "
                    "Pass --by COLUMN or give --input a folder."
                )
            data, as_of_ts = read_and_prepare(path, report, columns=columns, as_of=as_of, keep=[by],
                                              sheet=sheet, header_row=header_row, today=today, params=params,
                                              allow_duplicates=allow_duplicates, date_format=date_format,
                                              drop_zero_amounts=drop_zero_amounts)
            groups = list(data.groupby(by, sort=True))
            labels = [str(k) for k, _ in groups]
            for (key, part), label, folder in zip(groups, labels, _unique_folders(labels)):
                f = Path(work) / f"{len(job_list)}.parquet"
                part = part.drop(columns=[by]).reset_index(drop=True)
                for c in part.columns:  # a categorical's ids of this group only
                    if isinstance(part[c].dtype, pd.CategoricalDtype):
                        part[c] = part[c].cat.remove_unused_categories()
                save_data(part, f)
                job_list.append(dict(base, label=label, folder=folder, data_file=str(f), as_of=as_of_ts,
                                     dest=str(tmp / folder),
                                     meta={"input": path.name, "columns": columns or {}, "by": by, "group": label}))
        results: list[dict] = []
        bar = tqdm(total=len(job_list), desc=f"{name} reports", unit="report", disable=not progress,
                   file=None)
        if jobs == 1 or len(job_list) == 1:
            for job in job_list:
                results.append(_run_job(job))
                bar.update(1)
        else:
            with ProcessPoolExecutor(max_workers=min(jobs, len(job_list)), mp_context=get_context("spawn")) as pool:
                futures = [pool.submit(_run_job, job) for job in job_list]
                for fut in as_completed(futures):
                    results.append(fut.result())
                    bar.update(1)
        bar.close()
        order = {j["folder"]: i for i, j in enumerate(job_list)}
        statuses = [RunStatus(**r) for r in sorted(results, key=lambda r: order[r["folder"]])]
        _write_index(tmp, report, statuses, by=by, source=path.name, lang=lang, currency=currency)
    return statuses


def _write_index(folder: Path, report: Report, statuses: list[RunStatus], *, by, source, lang="en",
                 currency="¥") -> None:
    """index.html and index.csv: every run with its status, and the stores compared on the key figures."""
    tr = Text(lang, currency=currency)
    figures: dict[str, dict] = {}
    for s in statuses:
        for key, spec in (s.figures or {}).items():
            figures.setdefault(key, spec)
    flat = []
    for s in statuses:
        row = {"label": s.label, "folder": s.folder, "status": s.status, "rows": s.rows}
        row.update({k: (s.figures or {}).get(k, {}).get("value") for k in figures})
        row.update({"message": s.message, "seconds": s.seconds})
        flat.append(row)
    table = pd.DataFrame(flat)
    write_csv_safe(table, folder / "index.csv")
    heads = [tr("report", "报告"), tr("status", "状态"), tr("rows", "行数")] + \
        [html.escape(spec[lang]) for spec in figures.values()] + [tr("message", "说明")]
    rows = []
    for s in statuses:
        label = html.escape(s.label)
        if s.status == "ok":
            link = f'<a href="{html.escape(s.folder)}/report.html">{label}</a>'
            cls = "ok"
        else:
            link, cls = label, "failed"
        cells = [link, tr(s.status, "完成" if s.status == "ok" else "失败"), f"{s.rows:,}"]
        for key, spec in figures.items():
            v = (s.figures or {}).get(key, {}).get("value")
            cells.append("—" if v is None else {"pct": tr.pct, "money": tr.money}.get(spec["kind"], tr.number)(v))
        cells.append(html.escape(s.message))
        rows.append(f'<tr class="{cls}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    n_bad = sum(s.status != "ok" for s in statuses)
    split = (tr(f"one report per value of column '{html.escape(by)}'", f"按列“{html.escape(by)}”的每个取值各一份报告")
             if by else tr("one report per file", "每个文件一份报告"))
    title = html.escape(report.title_zh if tr.zh else report.title)
    summary = tr(f"{len(statuses)} report(s), {len(statuses) - n_bad} ok, {n_bad} failed.",
                 f"共 {len(statuses)} 份报告，完成 {len(statuses) - n_bad} 份，失败 {n_bad} 份。")
    page = f"""<!DOCTYPE html>
<html lang="{'zh-CN' if tr.zh else 'en'}"><head><meta charset="utf-8"><title>{title}: index</title>
<style>body{{font-family:"Noto Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}
td:nth-child(n+3){{text-align:right}}td:last-child{{text-align:left}}tr.failed td{{background:#fde2e2}}</style>
</head><body>
<h1>{title}</h1>
<p>{tr("Input", "输入")} <code>{html.escape(source)}</code>, {split}: {summary}</p>
<table><tr>{"".join(f"<th>{h}</th>" for h in heads)}</tr>
{chr(10).join(rows)}
</table></body></html>
"""
    (folder / "index.html").write_text(page, encoding="utf-8")
