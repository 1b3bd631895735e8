"""Safe writing of the files the command line produces (proof sketches, PDFs, plots, sweep rows).

Every file equivid writes goes through here, so one set of rules holds everywhere:

* only a regular file is ever replaced or appended to: a directory, a device node
  (``/dev/full``, ``/dev/null``), a FIFO, a socket or a symbolic link (to anything) is
  refused with a :class:`~equivid.errors.SpecError` naming the option (exit status 2);
* an existing file is replaced only with ``force``;
* a new content is written to a temporary file in the target's folder, fsynced, then
  renamed over the target (``os.replace``), so a reader sees the old file or the new
  one, never a partial one; a failed write leaves no temporary file behind;
* a missing or unwritable folder, a full disk: one-line :class:`SpecError`.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from ._limits import MAX_SPEC_BYTES
from .errors import SpecError

__all__ = ["check_target", "write_atomic", "write_with", "replacing", "open_append", "refuse_special", "read_text"]

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def refuse_special(path: Path, field: str) -> bool:
    """Whether ``path`` exists (as a regular file); SpecError when it is anything else."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise SpecError(field, str(path), "a regular file", detail=exc.strerror or type(exc).__name__) from None
    if not stat.S_ISREG(info.st_mode):
        raise SpecError(field, str(path), "a regular file (never a directory, device, FIFO, socket or symlink)",
                        detail=f"it is {_kind(info.st_mode)}; choose another path")
    return True


def check_target(path: str | os.PathLike[str], *, force: bool, field: str = "-o") -> Path:
    """Refuse ``path`` as an output before any work: not a regular file, exists without
    ``force``, or its folder is missing. Returns it as a Path."""
    target = Path(path)
    if refuse_special(target, field) and not force:
        raise SpecError(field, str(target), "a file that does not exist yet (or --force to overwrite it)",
                        detail="exists")
    folder = target.parent
    if not folder.is_dir():
        raise SpecError(field, str(target), "a path in an existing folder")
    return target


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str], *, force: bool, field: str = "-o",
              suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path beside ``path`` to write; on success it is fsynced and renamed over
    ``path`` (the rules in the module docstring), on failure removed."""
    target = check_target(path, force=force, field=field)
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    except OSError as exc:
        raise SpecError(field, str(target), "a path in a writable folder",
                        detail=exc.strerror or type(exc).__name__) from None
    os.close(handle)
    temporary = Path(name)
    _readable_as_usual(temporary)
    try:
        yield temporary
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        refuse_special(target, field)  # checked again just before the rename
        os.replace(temporary, target)
        _sync_folder(target.parent)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise SpecError(field, str(target), "a writable file", detail=exc.strerror or type(exc).__name__) from None
        raise


def _readable_as_usual(path: Path) -> None:
    """Give a file made by ``mkstemp`` (mode 0600) the mode a plain ``open`` would: 0666 less the umask."""
    os.chmod(path, 0o666 & ~_umask())


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: read by setting it (briefly) and restoring it
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike[str], data: bytes, *, force: bool, field: str = "-o") -> Path:
    """Write ``data`` to ``path`` atomically (the rules in the module docstring); the path written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_atomic(folder / "a.txt", b"hello", force=False).read_bytes()
    b'hello'
    >>> try:
    ...     write_atomic(folder, b"x", force=True)
    ... except SpecError as exc:
    ...     print(exc.detail)
    it is a directory; choose another path
    """
    with replacing(path, force=force, field=field) as temporary:
        with open(temporary, "wb") as out:
            out.write(data)
    return Path(path)


def write_with(path: str | os.PathLike[str], writer: Callable[[Path], None], *, force: bool,
               field: str = "-o") -> Path:
    """Like :func:`write_atomic`, but ``writer(temporary)`` writes the content (same suffix as ``path``)."""
    with replacing(path, force=force, field=field, suffix=Path(path).suffix or ".tmp") as temporary:
        writer(temporary)
    return Path(path)


def open_append(path: str | os.PathLike[str], *, field: str = "--output") -> IO[str]:
    """Open ``path`` for appending text, creating it: never through a symlink, never a
    non-regular file (opened without blocking, then checked), else SpecError."""
    target = Path(path)
    refuse_special(target, field)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(target, flags, 0o666)
    except OSError as exc:
        raise SpecError(field, str(target), "a writable regular file", detail=exc.strerror or type(exc).__name__) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        mode = os.fstat(descriptor).st_mode
        os.close(descriptor)
        raise SpecError(field, str(target), "a regular file", detail=f"it is {_kind(mode)}; choose another path")
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "a", encoding="utf-8")


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_text(path: str | os.PathLike[str], *, field: str, what: str) -> str:
    """A UTF-8 text file's content; a missing, unreadable, non-regular (a directory, a
    FIFO, a device such as ``/dev/zero``) or too large file is a SpecError on ``field``.

    At most :data:`~equivid._parse.MAX_SPEC_BYTES` bytes are accepted; one more is read
    to tell, never the whole of a larger file.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SpecError(field, str(path), f"an existing {what}") from None
    except OSError as exc:
        raise SpecError(field, str(path), f"a readable UTF-8 {what}", detail=exc.strerror or type(exc).__name__) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket or other special file")
            raise SpecError(field, str(path), f"a readable UTF-8 {what}", detail=f"{kind}, not a regular file")
        chunks, size = [], 0
        while size <= MAX_SPEC_BYTES:
            chunk = os.read(fd, MAX_SPEC_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_SPEC_BYTES:
            raise SpecError(field, str(path), f"a {what} of at most {MAX_SPEC_BYTES} bytes (the limit)")
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(field, str(path), f"a readable UTF-8 {what}",
                        detail=f"not UTF-8 at byte {exc.start}") from None
    except OSError as exc:
        raise SpecError(field, str(path), f"a readable UTF-8 {what}", detail=exc.strerror or type(exc).__name__) from None
    finally:
        os.close(fd)
