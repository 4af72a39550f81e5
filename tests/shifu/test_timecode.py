"""One recording-time format everywhere: 03:05 under an hour, 1:15:00 past it."""

from __future__ import annotations

import pytest

from shifu.timecode import clock


@pytest.mark.parametrize(("seconds", "shown"), [
    (None, ""), (0, "00:00"), (12.9, "00:12"), (185, "03:05"), (3599, "59:59"), (3600, "1:00:00"),
    (4500, "1:15:00"), (36125, "10:02:05"),
])
def test_clock_reads_like_a_player(seconds, shown):
    assert clock(seconds) == shown
