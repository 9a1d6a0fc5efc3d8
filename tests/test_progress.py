"""The progress display of long work (bellwether.progress): figures and the two outputs."""

import io

from bellwether.progress import Progress, bar, duration


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def progress(steps: int, sessions: int, *, tty: bool) -> tuple[Progress, io.StringIO, Clock]:
    out, clock = io.StringIO(), Clock()
    return Progress(steps=steps, sessions=sessions, out=out, tty=tty, clock=clock), out, clock


def one_step(p: Progress, clock: Clock, name: str, seconds: float) -> None:
    """A step that takes ``seconds`` and materializes nothing itself."""
    p.start_step(name)
    clock.t += seconds
    p.end_step()


def test_durations_and_bars_read_as_written():
    assert duration(42.4) == "42 s"
    assert duration(185) == "3 min 05 s"
    assert duration(3720) == "1 h 02 min"
    assert bar(0.5, width=10) == "[#####.....]"
    assert bar(2.0, width=4) == "[####]" and bar(-1, width=4) == "[....]"


def test_a_pipe_gets_one_line_per_step_with_sessions_rate_and_time_left():
    p, out, clock = progress(3, 100, tty=False)
    one_step(p, clock, "raw/daily_bars", 10.0)
    p.start_step("marts/streaks")
    p.sessions_done(40)  # materializations inside the step count too
    clock.t = 20.0
    p.end_step("FAILED")
    lines = out.getvalue().splitlines()
    assert lines == [
        "step 1/3 raw/daily_bars done in 10 s | 100/300 session-steps done | 10/s "
        "| about 20 s left",
        "step 2/3 marts/streaks FAILED in 10 s | 200/300 session-steps done | 10/s "
        "| about 10 s left",
    ]
    p.finish("run succeeded")
    assert out.getvalue().splitlines()[-1] == "run succeeded (20 s)"


def test_a_terminal_gets_one_line_redrawn_in_place_with_a_bar():
    p, out, clock = progress(2, 10, tty=True)
    one_step(p, clock, "raw/daily_bars", 5.0)
    text = out.getvalue()
    assert "\n" not in text and text.count("\r") >= 2
    assert "[############............]" in text and "10/20 session-steps done" in text


def test_a_slow_rate_keeps_a_decimal_instead_of_reading_zero():
    p, out, clock = progress(1, 1, tty=False)
    one_step(p, clock, "reports/market_brief", 2.0)
    assert "1/1 session-steps done | 0.5/s |" in out.getvalue()
