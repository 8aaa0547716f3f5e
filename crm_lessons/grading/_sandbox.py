"""Code the grader injects into the cell runners: the file guard, answer export and answer load.

These are source strings, executed as cells. The guard and the export run in
the *student's* process (phase 1); the load runs in the grader's clean process
(phase 2), which executes only instructor code and reads the exported answers
with loaders that cannot execute code (JSON, ``np.load(allow_pickle=False)``,
Parquet) -- never pickle.
"""

from __future__ import annotations

import json

__all__ = ["guard_source", "export_source", "load_source", "ANSWERS_DIR", "RESULT_PREFIX"]

ANSWERS_DIR = "_answers"
#: prefix of the signed result line a worker prints
RESULT_PREFIX = "CRM-RESULT"

_GUARD = r'''
def _crm_install_guard(workdir, protected):
    import os, sys
    realpath, fspath, fsdecode = os.path.realpath, os.fspath, os.fsdecode
    workdir = realpath(workdir) + os.sep
    protected = tuple(realpath(p) for p in protected)
    write_ok = (workdir, "/dev/null")
    flags_w = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    spawn = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
             "os.fork", "os.forkpty", "pty.spawn", "os.startfile", "os.kill", "os.killpg",
             "socket.connect", "socket.bind", "socket.sendto")
    paths2 = ("os.rename", "os.replace", "os.link", "os.symlink", "shutil.copyfile",
              "shutil.move", "shutil.copytree")
    writes = ("os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate",
              "os.utime", "shutil.rmtree", "os.removexattr", "os.setxattr") + paths2

    def denied(why):
        return PermissionError("grading sandbox: " + why + " is not allowed during grading")

    def norm(p):
        if isinstance(p, int) or p is None:
            return None
        try:
            return realpath(fsdecode(fspath(p)))
        except Exception:
            return None

    def inside(p, root):
        return p == root.rstrip(os.sep) or p.startswith(root.rstrip(os.sep) + os.sep)

    def check(p, write):
        if p is None or inside(p, workdir):
            return
        if any(inside(p, r) for r in protected):
            raise denied("access to " + p)
        if write and not any(inside(p, r) for r in write_ok):
            raise denied("writing to " + p + " (write inside the working folder only)")

    def hook(event, args):
        if event in spawn:
            what = "the network" if event.startswith("socket.") else "starting processes"
            raise denied(what + " (" + event + ")")
        if event == "open":
            mode, flags = (args[1], args[2]) if len(args) > 2 else (None, 0)
            write = bool(mode and any(c in str(mode) for c in "wax+")) or bool((flags or 0) & flags_w)
            check(norm(args[0]), write)
        elif event in ("os.listdir", "os.scandir", "glob.glob", "os.walk"):
            check(norm(args[0]) if args else None, False)
        elif event in writes:
            for a in args[:2] if event in paths2 else args[:1]:
                check(norm(a), True)
    sys.addaudithook(hook)

'''

_EXPORT = r'''
def _crm_export(names, folder):
    import json, os
    import numpy as np
    import pandas as pd
    os.makedirs(folder, exist_ok=True)
    g = globals()

    import datetime as dt

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

'''

_LOAD = r'''
def _crm_load(names, folder):
    import json, os
    import numpy as np
    import pandas as pd
    try:
        with open(os.path.join(folder, "meta.json")) as fh:
            meta = json.load(fh)
    except Exception:
        meta = {}
    if not isinstance(meta, dict):
        meta = {}

    import datetime as dt

    def unplain(v):
        if isinstance(v, list):
            return [unplain(x) for x in v]
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
            if os.path.islink(path) or not os.path.isfile(path):
                raise ValueError("file missing")
            if kind in ("frame", "series"):
                frame = pd.read_parquet(path)
                frame.columns = [unplain(c) for c in m["labels"]]
                value = frame.iloc[:, 0].rename(unplain(m.get("series_name"))) if kind == "series" else frame
            elif kind == "array":
                value = np.load(path, allow_pickle=False)
            elif kind == "json":
                with open(path) as fh:
                    value = unplain(json.load(fh))
            else:
                raise ValueError("unknown kind")
        except Exception as exc:
            status[name] = "could not be read (" + type(exc).__name__ + ")"
            continue
        globals()[name] = value
    return status

'''


def guard_source(workdir: str, protected: list[str]) -> str:
    """Source of the cell that installs the file/process guard in the student's process."""
    return (_GUARD.strip() + f"\n\n_crm_install_guard({str(workdir)!r}, {[str(p) for p in protected]!r})"
            "\ndel _crm_install_guard")


def export_source(names: list[str], folder: str) -> str:
    """Source of the cell that saves the answer variables ``names`` into ``folder``."""
    return _EXPORT.strip() + f"\n\n_crm_export({list(names)!r}, {str(folder)!r})\ndel _crm_export"


def load_source(names: list[str], folder: str) -> str:
    """Source of the cell that loads the answer variables ``names`` from ``folder``."""
    return ("if '_crm_answer_status' not in globals():\n    _crm_answer_status = {}\n"
            + _LOAD.strip() + f"\n\n_crm_answer_status.update(_crm_load({list(names)!r}, {str(folder)!r}))"
            "\ndel _crm_load")


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(guard_source("/tmp/x", ["/tmp/y"]))[:80])
