"""The grading sandbox (crm_lessons.grading._jail) on its own: what confined code can and cannot do.

Each test starts a small confined Python (``python -I -S -c``, a few tens of
milliseconds) and checks one boundary: files outside its folders, writes
outside its working folder, the network, other processes, resource limits.
These run on the CI machine (Linux with Landlock ABI >= 3 and unprivileged user
namespaces); where the sandbox is missing they fail, they do not skip, because
grading would then refuse to run.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from crm_lessons.grading import _jail


def _confined(tmp_path, code, *, limits=None, hide=(), tmpfs=False, env=None):
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    spec = {"argv": [sys.executable, "-I", "-S", "-c", code], "cwd": str(work),
            "read": _jail.python_paths(), "write": [str(work)], "env": env or {},
            "limits": limits or {}, "hide": list(hide),
            "tmpfs": {"path": str(work), "size": 2**20} if tmpfs else None}
    done = subprocess.run(_jail.command(spec), capture_output=True, text=True, timeout=60, cwd="/")
    return done


def test_this_machine_can_sandbox():
    assert _jail.landlock_abi() >= _jail.MIN_ABI
    assert _jail.status() is None


def test_reads_only_python_and_its_folder(tmp_path):
    secret = tmp_path / "solution.ipynb"
    secret.write_text("answer = 42")
    repo_file = os.path.join(os.path.dirname(_jail._PACKAGE), "pyproject.toml")
    code = ("import os\n"
            "for p in (%r, %r, '/etc/hostname', os.path.expanduser('~root/.bashrc')):\n"
            "    try:\n        open(p).read(); print('READ', p)\n"
            "    except OSError as e:\n        print(type(e).__name__)\n"
            "try:\n    os.listdir(%r); print('LISTED')\nexcept OSError as e:\n    print(type(e).__name__)\n"
            "fd = os.open(%r, os.O_PATH)\n"
            "try:\n    os.open('solution.ipynb', os.O_RDONLY, dir_fd=fd); print('DIRFD')\n"
            "except OSError as e:\n    print(type(e).__name__)\n"
            % (str(secret), repo_file, str(tmp_path), str(tmp_path)))
    done = _confined(tmp_path, code)
    assert done.returncode == 0, done.stderr
    assert "READ" not in done.stdout and "LISTED" not in done.stdout and "DIRFD" not in done.stdout
    assert done.stdout.split().count("PermissionError") >= 3


def test_reads_the_package_and_the_data_sets(tmp_path):
    code = ("import os\n"
            "print(len(open(os.path.join(%r, '__init__.py')).read()) > 0,"
            " len(open(os.path.join(%r, 'manifest.json')).read()) > 0)" % (_jail._PACKAGE, _jail._DATASETS))
    done = _confined(tmp_path, code)
    assert done.stdout.split() == ["True", "True"], done.stderr


def test_writes_only_its_folder(tmp_path):
    outside = tmp_path / "outside.txt"
    code = ("import os\nopen('mine.txt', 'w').write('ok')\n"
            "for p in (%r, %r):\n"
            "    try:\n        open(p, 'w').write('x'); print('WROTE', p)\n"
            "    except OSError as e:\n        print(type(e).__name__)\n"
            "try:\n    os.symlink(%r, 'link'); open('link', 'w').write('x'); print('VIA LINK')\n"
            "except OSError as e:\n    print(type(e).__name__)\n"
            % (str(outside), os.path.join(_jail._PACKAGE, "_planted.py"), str(outside)))
    done = _confined(tmp_path, code)
    assert done.returncode == 0, done.stderr
    assert "WROTE" not in done.stdout and "VIA LINK" not in done.stdout
    assert (tmp_path / "work" / "mine.txt").read_text() == "ok"
    assert not outside.exists() and not os.path.exists(os.path.join(_jail._PACKAGE, "_planted.py"))


def test_no_network_and_no_other_process(tmp_path):
    code = ("import os, socket\n"
            "for fam, addr in ((socket.AF_INET, ('127.0.0.1', 9)), (socket.AF_INET, ('1.1.1.1', 53))):\n"
            "    try:\n        socket.create_connection(addr, timeout=2); print('CONNECTED')\n"
            "    except OSError as e:\n        print('refused')\n"
            "print('pids', sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))\n"
            "try:\n    os.kill(%d, 0); print('SIGNALLED')\nexcept OSError:\n    print('nokill')\n"
            % os.getpid())
    done = _confined(tmp_path, code)
    assert done.returncode == 0, done.stderr
    assert "CONNECTED" not in done.stdout and "SIGNALLED" not in done.stdout
    assert "pids [1]" in done.stdout


def test_hidden_folders_are_empty(tmp_path):
    hidden = tmp_path / "exercises"
    hidden.mkdir()
    (hidden / "a.ipynb").write_text("x")
    done = _confined(tmp_path, f"import os; print(os.path.exists({str(hidden / 'a.ipynb')!r}))",
                     hide=[str(hidden)])
    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.parametrize("code, limits", [
    ("b = bytearray(600 * 2**20)", {"as": 512 * 2**20}),
    ("open('big', 'wb').write(b'x' * (3 * 2**20))", {"fsize": 2**20}),
    ("import os, time\nfor _ in range(50):\n    os.fork() or (time.sleep(30), os._exit(0))\ntime.sleep(30)",
     {"nproc": 4}),
], ids=["memory", "file-size", "processes"])
def test_resource_limits_hold(tmp_path, code, limits):
    done = _confined(tmp_path, code, limits=limits)
    assert done.returncode != 0
    assert any(e in done.stderr for e in ("MemoryError", "File too large", "BlockingIOError",
                                          "Resource temporarily unavailable", "processes; all were stopped")), done.stderr


def test_tmpfs_working_folder_bounds_the_disk(tmp_path):
    done = _confined(tmp_path, "open('fill', 'wb').write(b'x' * (4 * 2**20))", tmpfs=True)
    assert done.returncode != 0 and "No space left on device" in done.stderr
    assert not (tmp_path / "work" / "fill").exists()


def test_unsafe_runs_without_sandbox(tmp_path):
    spec = {"argv": [sys.executable, "-I", "-S", "-c", "import os; print(len(os.listdir('/proc')) > 1)"],
            "cwd": str(tmp_path), "unsafe": True, "env": {}}
    done = subprocess.run(_jail.command(spec), capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "True"
