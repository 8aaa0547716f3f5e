"""Answers as plain data: exported from the student's run, loaded into the checks' run.

:func:`export_answers` runs in the *student's* sandboxed process (phase 1) after
the student's cells; :func:`load_answers` runs in the checks' sandboxed process
(phase 2), which executes only instructor code and reads the answers with
loaders that cannot execute code (JSON, ``np.load(allow_pickle=False)``,
Parquet) -- never pickle. Both are module functions called by the cell runner
with the notebook namespace as an argument, so a student's variable named
``str``, ``len`` or ``open`` cannot change what they do.

Examples
--------
>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> export_answers({"total": 12.5, "str": "shadowed", "len": 3}, ["total", "missing"], folder)
>>> ns = {}
>>> load_answers(ns, ["total", "missing"], folder)
{'missing': 'was not computed'}
>>> ns
{'total': 12.5}
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat

__all__ = ["export_answers", "load_answers", "answer_file_ok", "ANSWERS_DIR", "RESULT_PREFIX",
           "MAX_ANSWER_BYTES"]

ANSWERS_DIR = "_answers"
#: prefix of the signed result line a worker prints
RESULT_PREFIX = "CRM-RESULT"
#: the most answer data one submission may hand over (all files together)
MAX_ANSWER_BYTES = 64 * 2**20
_ANSWER_FILE = re.compile(r"^(meta\.json|a[0-9]{1,4}\.(parquet|npy|json))$")


def answer_file_ok(name: str) -> bool:
    """True for a file name the export writes (``meta.json``, ``a<i>.parquet|npy|json``).

    Examples
    --------
    >>> answer_file_ok("a3.parquet"), answer_file_ok("../key.csv"), answer_file_ok("a1.pkl")
    (True, False, False)
    """
    return bool(_ANSWER_FILE.match(str(name)))


def _read_regular(path: str, limit: int) -> bytes:
    """Bytes of a regular file (never a symlink, FIFO or device; at most ``limit`` bytes)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > limit:
            raise ValueError(f"larger than {limit} bytes")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)[:limit]
    finally:
        os.close(fd)


def export_answers(ns, names, folder) -> None:
    """Save the variables ``names`` of namespace ``ns`` into ``folder`` as plain data files."""
    import numpy as np
    import pandas as pd

    os.makedirs(folder, exist_ok=True)
    g = ns

    def plain(v):
        if isinstance(v, pd.Timestamp):
            return {"__timestamp__": v.isoformat(), "tz": None if v.tz is None else str(v.tz)}
        if isinstance(v, pd.Timedelta):
            return {"__timedelta__": int(v.value)}
        if isinstance(v, np.datetime64):
            return {"__datetime64__": str(v)}
        if isinstance(v, np.timedelta64):
            return {"__timedelta64__": [int(v.astype("int64")), np.datetime_data(v.dtype)[0]]}
        if isinstance(v, dt.datetime):
            return {"__datetime__": v.isoformat()}
        if isinstance(v, dt.date):
            return {"__date__": v.isoformat()}
        if isinstance(v, (np.number, np.bool_, np.str_)):  # keeps its type: checks see what the student saw
            return {"__np__": plain(v.item()), "dtype": v.dtype.str}
        if isinstance(v, np.generic):
            v = v.item()
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, (set, frozenset)):
            return {"__set__": [plain(x) for x in v], "frozen": isinstance(v, frozenset)}
        if isinstance(v, tuple):
            return {"__tuple__": [plain(x) for x in v]}
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, dict) and all(isinstance(k, str) for k in v):
            return {"__dict__": {k: plain(x) for k, x in v.items()}}
        if isinstance(v, dict):
            return {"__items__": [[plain(k), plain(x)] for k, x in v.items()]}
        raise TypeError("unsupported type " + type(v).__name__)

    meta = {}
    for i, name in enumerate(names):
        if name not in g:
            meta[name] = {"kind": "missing"}
            continue
        v = g[name]
        base = os.path.join(folder, "a%d" % i)
        try:
            if isinstance(v, (pd.DataFrame, pd.Series)):
                frame = v.to_frame(name="v") if isinstance(v, pd.Series) else v.copy()
                if isinstance(frame.columns, pd.MultiIndex):
                    raise TypeError("a DataFrame with MultiIndex columns is not supported")
                labels = [plain(c) for c in frame.columns]
                frame.columns = ["c%d" % j for j in range(frame.shape[1])]
                frame.to_parquet(base + ".parquet")
                meta[name] = {"kind": "series" if isinstance(v, pd.Series) else "frame",
                              "file": "a%d.parquet" % i, "labels": labels,
                              "series_name": plain(v.name) if isinstance(v, pd.Series) else None}
            elif isinstance(v, np.ndarray):
                np.save(base + ".npy", v, allow_pickle=False)
                meta[name] = {"kind": "array", "file": "a%d.npy" % i}
            else:
                with open(base + ".json", "w") as fh:
                    json.dump(plain(v), fh)
                meta[name] = {"kind": "json", "file": "a%d.json" % i}
        except Exception as exc:
            meta[name] = {"kind": "unsaved", "why": (type(exc).__name__ + ": " + str(exc))[:300]}
    with open(os.path.join(folder, "meta.json"), "w") as fh:
        json.dump(meta, fh)

def load_answers(ns, names, folder) -> dict:
    """Load the answers ``names`` from ``folder`` into ``ns``; ``{name: why}`` for those missing."""
    import io

    import numpy as np
    import pandas as pd

    try:
        meta = json.loads(_read_regular(os.path.join(folder, "meta.json"), 2**20))
    except Exception:
        meta = {}
    if not isinstance(meta, dict):
        meta = {}

    def unplain(v):
        if isinstance(v, list):
            return [unplain(x) for x in v]
        if isinstance(v, dict) and "__np__" in v:
            return np.array(unplain(v["__np__"]), dtype=np.dtype(str(v["dtype"])))[()]
        if isinstance(v, dict) and "__timestamp__" in v:
            ts = pd.Timestamp(v["__timestamp__"])
            return ts.tz_convert(v["tz"]) if v.get("tz") else ts
        if isinstance(v, dict) and "__timedelta__" in v:
            return pd.Timedelta(int(v["__timedelta__"]), unit="ns")
        if isinstance(v, dict) and "__datetime64__" in v:
            return np.datetime64(v["__datetime64__"])
        if isinstance(v, dict) and "__timedelta64__" in v:
            return np.timedelta64(int(v["__timedelta64__"][0]), str(v["__timedelta64__"][1]))
        if isinstance(v, dict) and "__datetime__" in v:
            return dt.datetime.fromisoformat(v["__datetime__"])
        if isinstance(v, dict) and "__date__" in v:
            return dt.date.fromisoformat(v["__date__"])
        if isinstance(v, dict) and "__set__" in v:
            items = [unplain(x) for x in v["__set__"]]
            return frozenset(items) if v.get("frozen") else set(items)
        if isinstance(v, dict) and "__tuple__" in v:
            return tuple(unplain(x) for x in v["__tuple__"])
        if isinstance(v, dict) and "__dict__" in v:
            return {k: unplain(x) for k, x in v["__dict__"].items()}
        if isinstance(v, dict) and "__items__" in v:
            return {unplain(k) if not isinstance(k, list) else tuple(k): unplain(x)
                    for k, x in v["__items__"]}
        return v

    status = {}
    for name in names:
        m = meta.get(name)
        if not isinstance(m, dict):
            status[name] = "was not computed"
            continue
        kind, file = m.get("kind"), str(m.get("file", ""))
        path = os.path.join(folder, os.path.basename(file))
        try:
            if kind == "missing":
                status[name] = "was not computed"
                continue
            if kind == "unsaved":
                status[name] = "could not be collected (" + str(m.get("why")) + ")"
                continue
            if not answer_file_ok(os.path.basename(file)):
                raise ValueError("not an answer file")
            data = _read_regular(path, MAX_ANSWER_BYTES)
            if kind in ("frame", "series"):
                frame = pd.read_parquet(io.BytesIO(data))
                frame.columns = [unplain(c) for c in m["labels"]]
                value = frame.iloc[:, 0].rename(unplain(m.get("series_name"))) if kind == "series" else frame
            elif kind == "array":
                value = np.load(io.BytesIO(data), allow_pickle=False)
            elif kind == "json":
                value = unplain(json.loads(data))
            else:
                raise ValueError("unknown kind")
        except Exception as exc:
            status[name] = "could not be read (" + type(exc).__name__ + ")"
            continue
        ns[name] = value
    return status


