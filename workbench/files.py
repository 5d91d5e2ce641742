"""Output files that appear whole or not at all, and OS errors on paths in words.

Every output (scores, samples, reports, model YAML) is written to a hidden temporary file
in the target's own folder and renamed over the target only once it is complete and on
disk, so a reader, a killed command or a full disk leaves the previous output or nothing —
never a file that looks whole. Two writers to one file: the last complete one wins. The
temporary name (``.scores.csv.<pid>.<random>.tmp``) is hidden and ends in ``.tmp``, so a
``*.csv`` glob never picks up what a killed writer (SIGKILL) left; the next write into that
folder removes such leftovers once they are an hour old and their writer is gone.

>>> with atomic_output("out/scores.csv") as tmp:  # doctest: +SKIP
...     frame.to_csv(tmp)
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from workbench.errors import PathError, Problem

STALE_SECONDS = 3600
"""A leftover temporary file is removed once untouched this long (and its writer is gone):
a live writer keeps touching its file, and one on another machine is never judged by pid."""

_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$")
_WORDS = {
    errno.ELOOP: "it is a symbolic link loop (a link that leads back to itself)",
    errno.EACCES: "permission denied",
    errno.EPERM: "the operation is not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would exceed the size limit for files here",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ENOENT: "no such file or folder",
}
_HINTS = {
    errno.ELOOP: "fix or remove the link, or give another path",
    errno.EACCES: "choose a place you may write to, or change its permissions",
    errno.EPERM: "choose a place you may write to, or change its permissions",
    errno.EROFS: "choose a place on a writable disk",
    errno.ENOSPC: "free some space or choose another place to write",
    errno.EDQUOT: "free some space or choose another place to write",
    errno.EFBIG: "free some space or choose another place to write",
    errno.EISDIR: "name a file (e.g. inside that folder)",
    errno.ENOTDIR: "check the folders on the path",
    errno.ENAMETOOLONG: "choose a shorter name",
}
PATH_ERRNOS = frozenset(_WORDS)
"""OS errors that are about the path or its disk, not a bug: reported, never a traceback."""


def os_error_words(exc: OSError) -> str:
    """What an OS error on a path means, in words (the system's own text when unknown)."""
    return _WORDS.get(exc.errno, exc.strerror or str(exc))


def path_error(exc: OSError, path: str | Path | None = None, doing: str = "") -> PathError:
    """The user error for an OS error on ``path``: what happened and what would fix it.

    ``doing`` says what was tried ("cannot write the file"); ``path`` defaults to the
    error's own file name.
    """
    where = str(path if path is not None else exc.filename or "")
    words = os_error_words(exc)
    hint = _HINTS.get(exc.errno)
    message = f"{doing}: {words}" if doing else words
    return PathError([Problem("", f"{message}; {hint}" if hint else message)], where or None)


def not_a_file(mode: int) -> str | None:
    """Why a path of this ``st_mode`` cannot be read as an input file, or None if it can:
    a pipe waits for a writer forever and /dev/zero never ends, so neither is opened."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file; name a file in it"
    kind = "a pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
    return f"it is {kind}, not a regular file; save the data to a file and give its path"


@contextmanager
def locked_for_update(path: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on the file at ``path`` while it is read, changed and
    replaced (atomically, by rename): a second updater waits, then reads the new file, so
    no update is lost. The lock is on the file itself, so nothing is left beside it; a
    lock won on a file that was meanwhile replaced is given up and taken on the new one."""
    path = Path(path)
    while True:
        fh = open(path, "rb")  # noqa: SIM115 - held for the lock's lifetime
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            if os.fstat(fh.fileno()).st_ino == os.stat(path).st_ino:
                yield
                return
        finally:
            fh.close()  # closing releases the lock


def resolved(path: str | Path) -> Path:
    """``Path(path).resolve()``, a link loop raised as the ``OSError`` (ELOOP) it is on
    every Python (before 3.13 ``resolve`` raises ``RuntimeError``)."""
    try:
        return Path(path).resolve()
    except RuntimeError:
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None


def temporary_name(path: Path) -> Path:
    """A hidden, unique name beside ``path`` that no glob for its suffix matches."""
    stem = path.name[:200]  # room for the pid and token within a file name's 255 bytes
    return path.with_name(f".{stem}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


def remove_stale_temporaries(folder: str | Path, older_than: float = STALE_SECONDS) -> list[Path]:
    """Remove temporary files killed writers left in ``folder``; returns those removed.

    Only names this module makes, untouched for ``older_than`` seconds, whose writer's
    process is not running here: a writer still at work is never touched.
    """
    cutoff = time.time() - older_than
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMPORARY.match(entry.name)
        if m is None or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat().st_mtime >= cutoff:
                continue
            os.unlink(entry.path)
        except OSError:
            continue  # gone meanwhile, or not ours to remove
        removed.append(Path(entry.path))
    return removed


def fsync_path(path: str | Path) -> None:
    """Flush a file's (or a folder's entries') data to disk before a rename publishes it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    with suppress(OSError):  # some file systems cannot sync a folder; the rename is done
        fsync_path(folder)


def _create(tmp: Path, mode: int | None) -> None:
    """Make the temporary file with the mode ``open(…, 'w')`` would give the target: an
    existing target's own ``mode``, else 0666 less the umask (the OS applies it)."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
    finally:
        os.close(fd)


@contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write ``path``'s content to; put it in place when done.

    On success the file is synced to disk and renamed over ``path`` (one ``os.replace``);
    on any error, Ctrl-C or SIGTERM (which the CLI raises as an interrupt) it is removed and
    ``path`` is untouched. A link is written through to the file it names, as ``open()``
    does; a device or pipe (``/dev/stdout``) is written directly: it cannot be renamed
    over. OS errors (a full disk, a link loop, no permission) become a
    :class:`~workbench.errors.PathError` naming ``path``.
    """
    named = Path(path)
    try:
        target = resolved(named) if named.is_symlink() else named
        try:
            info = os.stat(target)
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(named))
        direct = info is not None and not stat.S_ISREG(info.st_mode)
        if not direct:
            tmp = temporary_name(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(target.parent)
            _create(tmp, None if info is None else stat.S_IMODE(info.st_mode))
    except OSError as exc:
        raise path_error(exc, named, "cannot write the file") from None
    if direct:
        try:
            yield target
        except OSError as exc:
            raise path_error(exc, named, "cannot write the file") from None
        return
    try:
        yield tmp
        fsync_path(tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise path_error(exc, named, "cannot write the file") from None
        raise
    _fsync_folder(target.parent)


def copy_atomic(source: str | Path, path: str | Path) -> Path:
    """Copy ``source`` to ``path`` whole or not at all (:func:`atomic_output`)."""
    path = Path(path)
    with atomic_output(path) as tmp:
        shutil.copyfile(source, tmp)
    return path


def write_text_new(path: str | Path, text: str, encoding: str = "utf-8", newline=None) -> Path:
    """Create ``path`` with ``text``, whole or not at all, only if nothing is there yet.

    For files that are never overwritten (a saved model version): the text goes to a
    temporary file, which is then hard-linked to ``path`` (the link fails if the name
    exists, atomically, so of two writers at once exactly one wins) and removed. Raises
    ``FileExistsError`` (an ``OSError``) when ``path`` exists; other OS errors become a
    :class:`~workbench.errors.PathError` naming ``path``. On a file system without hard
    links the file is created with ``O_EXCL`` and written in place.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path.parent)
        tmp = temporary_name(path)
        _create(tmp, None)
    except OSError as exc:
        raise path_error(exc, path, "cannot write the file") from None
    try:
        with open(tmp, "w", encoding=encoding, newline=newline) as fh:
            fh.write(text)
        fsync_path(tmp)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            _write_exclusive(path, text, encoding, newline)
    except FileExistsError:
        raise
    except OSError as exc:
        raise path_error(exc, path, "cannot write the file") from None
    finally:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
    _fsync_folder(path.parent)
    return path


def _write_exclusive(path: Path, text: str, encoding: str, newline) -> None:
    """Create ``path`` (``O_EXCL``: never an existing file) and write ``text`` into it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(fd, "w", encoding=encoding, newline=newline, closefd=False) as fh:
            fh.write(text)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with suppress(OSError):
            path.unlink()
        raise
    os.close(fd)


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8", newline=None) -> Path:
    """Write ``text`` to ``path`` whole or not at all (:func:`atomic_output`)."""
    path = Path(path)
    with atomic_output(path) as tmp, open(tmp, "w", encoding=encoding, newline=newline) as fh:
        fh.write(text)
    return path
