"""Progress on long operations (issue 20, item 7): one tqdm line on stderr, only on a terminal,
off with --quiet; nothing in library use or off a terminal."""

from __future__ import annotations

import io

import equivid
from equivid._progress import Bar, active, note, shown
from equivid.cli import main


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


SYSTEM = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})


def test_a_command_on_a_terminal_says_what_it_is_doing():
    stream = Terminal()
    with shown("analyze", stream=stream):
        assert active()
        equivid.solve(SYSTEM)
        with Bar(3, "strata", unit="stratum") as bar:
            assert bar.drawn
            bar.update(2)
    drawn = stream.getvalue()
    assert "analyze: solving (affine)" in drawn and "analyze: checking the answer" in drawn
    assert "strata:" in drawn and "/3" in drawn  # the bar (redrawn at most every 0.1 s)
    assert not active()


def test_quiet_and_not_a_terminal_draw_nothing():
    for stream, quiet in ((Terminal(), True), (io.StringIO(), False)):
        with shown("analyze", stream=stream, quiet=quiet):
            assert not active()
            note("solving")
            with Bar(3, "rows", force=True) as bar:
                bar.update(1)
            equivid.solve(SYSTEM)
        assert stream.getvalue() == ""


def test_library_use_draws_nothing(capsys):
    equivid.solve(SYSTEM)
    with Bar(2, "rows") as bar:
        assert not bar.drawn
        bar.update(2)
    assert capsys.readouterr().err == ""


def test_every_long_command_takes_quiet(capsys):
    assert main(["analyze", "diagonal_scaling", "--quiet"]) == 0
    assert main(["sketch", "diagonal_scaling", "--quiet", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "diagonal scalings" in out
    for command in ("analyze", "sketch", "sweep", "verify"):
        assert main([command, "--help"]) == 0
        assert "--quiet" in capsys.readouterr().out
