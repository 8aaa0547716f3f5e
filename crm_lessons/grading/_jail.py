"""The operating-system sandbox that student code and the checks run in (Linux only).

Run as a script, ``python -I .../_jail.py SPEC_JSON``, it confines itself and
then ``execve``\\ s ``SPEC["argv"]``. It is a plain script (standard library
only, no package import) so that it starts in milliseconds and nothing on its
``sys.path`` is writable by the code it confines.

What it does, in order:

1. **Namespaces** (unprivileged, through a user namespace): new user, mount,
   network and PID namespaces. The network namespace has only a loopback device
   that is down (no network at all, no abstract UNIX sockets of the host); the
   PID namespace hides every other process (no signals, no ``/proc`` of the
   grader) and its first process is the confined program, so when it ends the
   kernel kills everything it started, however it re-forked. Folders in
   ``SPEC["hide"]`` are covered by an empty read-only tmpfs.
2. **Resource limits** (``setrlimit``): address space, processes (threads
   count), size of any file written, CPU seconds, open files.
3. **Landlock** (``landlock_create_ruleset`` = 444, ``landlock_add_rule`` = 445,
   ``landlock_restrict_self`` = 446 on x86_64 and aarch64, after
   ``prctl(PR_SET_NO_NEW_PRIVS)``): the process and all its descendants may
   read (and execute) only ``SPEC["read"]`` and read and write only
   ``SPEC["write"]``; every other file and folder of the machine cannot be
   opened, listed, created, renamed, linked or deleted. This needs Landlock
   ABI >= 3 (truncation is handled from 3 on); every right the running kernel
   knows (up to ABI 6 here: TCP bind/connect, signal and abstract-socket
   scoping) is handled, so a newer kernel only confines more.

:func:`status` says whether this machine can do all of it, and why not.
"""

from __future__ import annotations

import ctypes
import json
import os
import platform
import resource
import signal
import sys

__all__ = ["landlock_abi", "status", "command", "MIN_ABI", "main"]

#: the oldest Landlock ABI the sandbox accepts (3: file truncation is handled)
MIN_ABI = 3

_SYSCALLS = {"x86_64": (444, 445, 446), "aarch64": (444, 445, 446), "arm64": (444, 445, 446)}
_PR_SET_NO_NEW_PRIVS, _PR_SET_PDEATHSIG = 38, 1
_CLONE_NEWNS, _CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWNET = 0x20000, 0x10000000, 0x20000000, 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REC, _MS_PRIVATE = 1, 2, 4, 8, 0x4000, 0x40000

# Landlock access rights (linux/landlock.h), by the ABI that introduced them
_FS = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1, 2, 4, 8
_MAKE_CHAR, _MAKE_BLOCK, _TRUNCATE, _IOCTL_DEV = 1 << 6, 1 << 11, 1 << 14, 1 << 15
_FILE_ONLY = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV
#: the crm_lessons package folder (readable by the confined code; the repository around it is not)
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: the course's public data sets (crm_lessons.datasets.DATA_DIR), read by some exercises
_DATASETS = os.path.join(os.path.dirname(_PACKAGE), "datasets")
_NET_TCP = 3          # bind | connect (ABI 4)
_SCOPE = 3            # abstract UNIX sockets | signals (ABI 6)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def landlock_abi() -> int:
    """The Landlock ABI version of the running kernel (0: none, or not Linux).

    Examples
    --------
    >>> landlock_abi() >= 0
    True
    """
    calls = _SYSCALLS.get(platform.machine())
    if sys.platform != "linux" or calls is None:
        return 0
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(ctypes.c_long(calls[0]), None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(abi), 0)


def status() -> str | None:
    """``None`` when this machine can run the full sandbox, else the reason it cannot.

    Tries it for real: a confined child process must start, must not read a file
    outside its folders and must see no network.

    Examples
    --------
    >>> status() is None or isinstance(status(), str)
    True
    """
    if sys.platform != "linux":
        return f"the grading sandbox needs Linux (Landlock and namespaces); this is {sys.platform}"
    abi = landlock_abi()
    if abi < MIN_ABI:
        return (f"the kernel offers Landlock ABI {abi}; the grading sandbox needs ABI >= {MIN_ABI} "
                "(Linux 6.2 or newer with Landlock enabled, e.g. lsm=landlock,... on the kernel command line)")
    probe = ("import os, socket\n"
             "try:\n    open(os.environ['CRM_PROBE'], 'rb').close(); print('read')\n"
             "except PermissionError:\n    pass\n"
             "try:\n    socket.create_connection(('127.0.0.1', 9), timeout=1); print('net')\n"
             "except OSError:\n    pass\n"
             "print('ok', os.getpid())\n")
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="crm-jail-probe-") as tmp:
        secret = os.path.join(tmp, "secret")
        work = os.path.join(tmp, "work")
        os.mkdir(work)
        with open(secret, "w") as fh:
            fh.write("x")
        spec = {"argv": [sys.executable, "-I", "-S", "-c", probe], "cwd": work,
                "read": python_paths(), "write": [work], "env": {"CRM_PROBE": secret}}
        try:
            done = subprocess.run(command(spec), capture_output=True, text=True, timeout=60, cwd=work)
        except subprocess.TimeoutExpired:
            return "the sandbox self-test did not finish in 60 s"
    if done.stdout.split() != ["ok", "1"]:
        why = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"the sandbox self-test failed ({why}; output {done.stdout.strip()!r})"
    return None


def python_paths() -> list[str]:
    """What a confined Python may read: the interpreter, its libraries, system libraries, the data sets.

    Examples
    --------
    >>> sys.base_prefix in python_paths()
    True
    """
    import site
    import sysconfig

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable)), _PACKAGE, _DATASETS}
    paths.update(sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib"))
    paths.update(site.getsitepackages())
    paths.update(("/usr", "/lib", "/lib64", "/bin", "/etc/ld.so.cache", "/etc/localtime",
                  "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/dev/urandom", "/dev/random",
                  "/dev/zero", "/dev/null", "/proc", "/sys/devices/system/cpu"))
    return sorted(p for p in paths if os.path.exists(p))


def command(spec: dict) -> list[str]:
    """The argv that runs ``spec["argv"]`` inside the sandbox described by ``spec``.

    ``spec`` keys: ``argv``, ``cwd``, ``read`` (paths readable), ``write``
    (folders readable and writable), ``hide`` (folders covered by an empty
    tmpfs), ``tmpfs`` (``{"path", "size"}``: a fresh tmpfs of that many bytes
    mounted on ``path``), ``env`` (the whole environment of the program), ``limits``
    (``{"as": bytes, "nproc": n, "fsize": bytes, "cpu": s, "nofile": n}``),
    ``quiet`` (the program's stdout and stderr go to /dev/null), ``unsafe``
    (run without the sandbox).

    Examples
    --------
    >>> command({"argv": ["true"]})[1:3]
    ['-I', '-S']
    """
    return [sys.executable, "-I", "-S", os.path.abspath(__file__), json.dumps(spec)]


# --------------------------------------------------------------------------- the confinement
def _write(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _namespaces(libc, hide, tmpfs):
    uid, gid = os.getuid(), os.getgid()
    _check(libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNS | _CLONE_NEWNET | _CLONE_NEWPID), "unshare")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    _check(libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "mount --make-rprivate /")
    for path in hide:
        if os.path.isdir(path) and not os.path.islink(path):
            _check(libc.mount(b"tmpfs", os.fsencode(path), b"tmpfs",
                              _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, b"size=4k,mode=0555"),
                   f"hiding {path}")
    if tmpfs:  # the working folder: a fresh tmpfs, so a disk bomb fills memory we bounded, not the disk
        opts = f"size={int(tmpfs['size'])},nr_inodes=65536,mode=0700,uid={uid},gid={gid}"
        _check(libc.mount(b"tmpfs", os.fsencode(tmpfs["path"]), b"tmpfs", _MS_NOSUID | _MS_NODEV,
                          opts.encode()), f"tmpfs on {tmpfs['path']}")


def _limits(limits):
    names = {"as": resource.RLIMIT_AS, "nproc": resource.RLIMIT_NPROC, "fsize": resource.RLIMIT_FSIZE,
             "cpu": resource.RLIMIT_CPU, "nofile": resource.RLIMIT_NOFILE, "core": resource.RLIMIT_CORE}
    for key, value in {"core": 0, **limits}.items():
        if value is not None:
            resource.setrlimit(names[key], (int(value), int(value)))


def _landlock(libc, read, write):
    abi = landlock_abi()
    if abi < MIN_ABI:
        raise OSError(f"Landlock ABI {abi} < {MIN_ABI}")
    fs = _FS[max(k for k in _FS if k <= abi)]
    attr = _RulesetAttr(fs, _NET_TCP if abi >= 4 else 0, _SCOPE if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else 16
    libc.syscall.restype = ctypes.c_long
    create, add, restrict = _SYSCALLS[platform.machine()]
    ruleset = _check(libc.syscall(ctypes.c_long(create), ctypes.byref(attr), ctypes.c_size_t(size),
                                  ctypes.c_uint32(0)), "landlock_create_ruleset")
    rw = fs & ~(_MAKE_CHAR | _MAKE_BLOCK)
    ro = _EXECUTE | _READ_FILE | _READ_DIR
    for paths, access in ((read, ro), (write, rw)):
        for path in paths:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            allowed = access & fs
            if not os.path.isdir(path):
                allowed &= _FILE_ONLY
                if path.startswith("/dev/"):
                    allowed |= _WRITE_FILE & fs if path == "/dev/null" else 0
            rule = _PathBeneath(allowed, fd)
            _check(libc.syscall(ctypes.c_long(add), ctypes.c_int(ruleset), ctypes.c_int(1),
                                ctypes.byref(rule), ctypes.c_uint32(0)), f"landlock_add_rule {path}")
            os.close(fd)
    _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    _check(libc.syscall(ctypes.c_long(restrict), ctypes.c_int(ruleset), ctypes.c_uint32(0)),
           "landlock_restrict_self")
    os.close(ruleset)


def _tree_size(root: int, proc: int) -> int:
    """The number of processes in the tree under ``root`` (itself included), from ``stat`` in ``proc``.

    ``proc`` is a directory descriptor of the /proc that shows ``root`` under its own number
    (opened before the confined program mounts its namespace's /proc over it). A process's parent
    is the fourth field of its ``stat`` line, after the command name in parentheses (which may hold
    spaces or parentheses). Orphans of a PID namespace are adopted by its first process, which
    stays in the tree.
    """
    children: dict[int, list[int]] = {}
    for name in os.listdir(proc):
        if name.isdigit():
            try:
                fd = os.open(f"{name}/stat", os.O_RDONLY, dir_fd=proc)
                try:
                    ppid = int(os.read(fd, 4096).rsplit(b")", 1)[1].split()[1])
                finally:
                    os.close(fd)
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(name))
    count, todo = 0, [root]
    while todo:
        count += 1
        todo.extend(children.get(todo.pop(), ()))
    return count


def _watch(pid, nproc, proc, every=0.05) -> int:
    """Wait for the confined program; kill it if its process tree holds more than ``nproc`` processes.

    RLIMIT_NPROC already stops a fork bomb, except for root (the kernel exempts
    uid 0 from it): this count of the processes under the confined program holds
    for everybody. (It walks the parent links in ``/proc``, which any user may read:
    ``proc`` is a descriptor of the /proc opened before the fork: the confined program mounts its
    own /proc over the shared path, where our numbers mean nothing. An earlier version looked the
    child up by path and, when the child had already mounted its /proc, did not watch at all.)
    """
    import time

    while True:
        done, code = os.waitpid(pid, os.WNOHANG if nproc else 0)
        if done:
            return os.waitstatus_to_exitcode(code) & 0xFF
        if _tree_size(pid, proc) > nproc + 1:  # the jail's own process above the program's
            os.kill(pid, signal.SIGKILL)
            print(f"crm-jail: more than {nproc} processes; all were stopped", file=sys.stderr, flush=True)
        time.sleep(every)


def main(argv=None) -> int:
    """Confine this process as ``argv[0]`` (a JSON spec) says, then run the program in it."""
    spec = json.loads((argv or sys.argv[1:])[0])
    env = {str(k): str(v) for k, v in spec.get("env", {}).items()}
    cwd = spec.get("cwd") or "/"
    if spec.get("unsafe"):
        os.chdir(cwd)
        os.makedirs("tmp", exist_ok=True)
        os.execve(spec["argv"][0], spec["argv"], env)
    libc = _libc()
    try:
        _namespaces(libc, spec.get("hide", []), spec.get("tmpfs"))
        os.makedirs(os.path.join(cwd, "tmp"), exist_ok=True)
    except OSError as exc:
        print(f"crm-jail: namespaces unavailable: {exc}", file=sys.stderr, flush=True)
        return 125
    alive_r, alive_w = os.pipe()  # EOF on alive_r: the parent is gone
    proc = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)  # this /proc, before the child mounts its own
    pid = os.fork()
    if pid:  # stays outside, waits, passes on the exit status; SIGKILL here kills the namespace
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda *_: os.kill(pid, signal.SIGKILL))
        os.close(alive_r)
        return _watch(pid, spec.get("limits", {}).get("nproc"), proc)
    try:
        os.close(proc)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        os.close(alive_w)
        import select

        if select.select([alive_r], [], [], 0)[0]:  # the parent died before PDEATHSIG was set
            os._exit(125)
        os.close(alive_r)
        read = [os.path.abspath(p) for p in spec.get("read", [])]
        if libc.mount(b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None) != 0:
            read = [p for p in read if p != "/proc" and not p.startswith("/proc/")]  # the host's: never
        _limits(spec.get("limits", {}))
        _landlock(libc, read,
                  [os.path.abspath(p) for p in spec.get("write", [])])
        os.chdir(cwd)
        if spec.get("quiet"):  # the confined program's output goes nowhere; ours stays for errors
            null = os.open("/dev/null", os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
        os.execve(spec["argv"][0], spec["argv"], env)
    except BaseException as exc:  # noqa: BLE001 - report and never run unconfined
        print(f"crm-jail: could not confine: {exc}", file=sys.stderr, flush=True)
        os._exit(125)
    return 125  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
