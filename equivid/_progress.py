"""Progress of long operations: one tqdm bar on stderr, only on a terminal, off with ``--quiet``.

The command line turns it on for a command (:func:`shown`); inside, the pipeline says what it
is doing (:func:`note`: "solving (affine)", "checking the answer", "cross-examining") and
counted work advances a bar (:class:`Bar`: training steps, sweep rows). Nothing is printed
when stderr is not a terminal (a log, a pipe, a notebook's captured stream), when ``--quiet``
is given, or in library use unless a caller turns it on.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

__all__ = ["Bar", "shown", "note", "active"]

#: The stream progress goes to while a command runs with progress on, else None.
_STREAM: contextvars.ContextVar[IO[str] | None] = contextvars.ContextVar("equivid_progress_stream", default=None)
#: The indeterminate bar of the running command (what :func:`note` updates).
_STAGE: contextvars.ContextVar[Any] = contextvars.ContextVar("equivid_progress_stage", default=None)


def _terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


@contextmanager
def shown(label: str, *, quiet: bool = False, stream: IO[str] | None = None) -> Iterator[None]:
    """Progress on for the block: a line ``label: what it is doing | elapsed`` on ``stream``
    (stderr) when it is a terminal and not ``quiet``; nothing otherwise.

    Parameters
    ----------
    label : str
        The operation (the command's name).
    quiet : bool, default False
        No progress at all.
    stream : text stream, optional
        Where to draw (default: ``sys.stderr``).

    Yields
    ------
    None

    Examples
    --------
    >>> import io
    >>> with shown("analyze", stream=io.StringIO()):  # not a terminal: nothing is drawn
    ...     note("solving")
    ...     active()
    False
    """
    stream = sys.stderr if stream is None else stream
    if quiet or not _terminal(stream):
        yield
        return
    from tqdm import tqdm

    stage = tqdm(total=None, desc=label, file=stream, leave=False, bar_format="{desc} | {elapsed}",
                 dynamic_ncols=True)
    outer = _STREAM.set(stream), _STAGE.set(stage)
    try:
        yield
    finally:
        _STREAM.reset(outer[0])
        _STAGE.reset(outer[1])
        stage.close()


def active() -> bool:
    """Whether progress is being drawn (a command with progress on, on a terminal).

    Returns
    -------
    bool

    Examples
    --------
    >>> active()
    False
    """
    return _STREAM.get() is not None


def note(what: str) -> None:
    """Say what the running command is doing now (shown after its name); nothing when
    progress is off.

    Parameters
    ----------
    what : str
        A few words, e.g. ``"checking the answer"``.

    Examples
    --------
    >>> note("solving")  # progress is off: nothing happens
    """
    stage = _STAGE.get()
    if stage is not None:
        label = stage.desc.split(": ", 1)[0]
        stage.set_description_str(f"{label}: {what}")


class Bar:
    """A counted bar (``total`` units) on stderr while progress is on, or when ``force``d
    (``progress=True`` in the library); a no-op otherwise.

    Parameters
    ----------
    total : int
        The number of units.
    label : str
        What is counted, shown before the bar.
    unit : str, default "step"
        The unit's name.
    initial : int, default 0
        Units already done (a resumed sweep).
    force : bool, default False
        Draw on stderr even outside a command with progress on (a terminal is still required).

    Examples
    --------
    >>> with Bar(3, "training") as bar:  # progress is off: nothing is drawn
    ...     bar.update(1, loss=0.5)
    """

    def __init__(self, total: int, label: str, *, unit: str = "step", initial: int = 0, force: bool = False) -> None:
        stream = _STREAM.get()
        if stream is None and force and _terminal(sys.stderr):
            stream = sys.stderr
        self._bar: Any = None
        if stream is not None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=initial, desc=label, unit=unit, file=stream, leave=False,
                             dynamic_ncols=True)

    @property
    def drawn(self) -> bool:
        """Whether the bar is drawn (progress on, on a terminal)."""
        return self._bar is not None

    def update(self, n: int = 1, **postfix: Any) -> None:
        """Advance by ``n`` units, showing ``postfix`` (e.g. ``loss=0.1``, ``errors=2``).

        Parameters
        ----------
        n : int, default 1
            Units done.
        **postfix
            Values shown after the bar.
        """
        if self._bar is not None:
            self._bar.update(n)
            if postfix:
                self._bar.set_postfix(postfix, refresh=False)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
