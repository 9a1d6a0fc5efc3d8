"""The progress display of long work (bellwether.progress): figures and the two outputs."""

import io

from bellwether.progress import Progress, bar, duration


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_durations_and_bars_read_as_written():
    assert duration(42.4) == "42 s"
    assert duration(185) == "3 min 05 s"
    assert duration(3720) == "1 h 02 min"
    assert bar(0.5, width=10) == "[#####.....]"
    assert bar(2.0, width=4) == "[####]" and bar(-1, width=4) == "[....]"


def test_a_pipe_gets_one_line_per_step_with_sessions_rate_and_time_left():
    out, clock = io.StringIO(), Clock()
    p = Progress(steps=3, sessions=100, out=out, tty=False, clock=clock)
    p.start_step("raw/daily_bars")
    clock.t = 10.0
    p.end_step()
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
    out, clock = io.StringIO(), Clock()
    p = Progress(steps=2, sessions=10, out=out, tty=True, clock=clock)
    p.start_step("raw/daily_bars")
    clock.t = 5.0
    p.end_step()
    text = out.getvalue()
    assert "\n" not in text and text.count("\r") >= 2
    assert "[############............]" in text and "10/20 session-steps done" in text


def test_a_slow_rate_keeps_a_decimal_instead_of_reading_zero():
    out, clock = io.StringIO(), Clock()
    p = Progress(steps=1, sessions=1, out=out, tty=False, clock=clock)
    p.start_step("reports/market_brief")
    clock.t = 2.0
    p.end_step()
    assert "1/1 session-steps done | 0.5/s |" in out.getvalue()
