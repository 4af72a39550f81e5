"""The security suite: each test is one case of issue 11 (an attack, a fault or a careless upload).

At the end of any run that collected it, a table says per case how many checks were tried,
held and broken, and whether a broken one lost data. A broken check fails the run, as any test does.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

_HERE = Path(__file__).parent
_cases: dict[str, tuple[str, bool]] = {}  # nodeid -> (case, data at stake)
_outcomes: dict[str, str] = {}  # nodeid -> passed | failed | skipped


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "case(name, data=False): the issue-11 case a security test reproduces; "
                                       "data=True when breaking it loses stored data")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("case")
        if marker is not None and _HERE in Path(str(item.fspath)).parents:
            _cases[item.nodeid] = (str(marker.args[0]), bool(marker.kwargs.get("data", False)))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid not in _cases:
        return
    if report.failed:
        _outcomes[report.nodeid] = "failed"
    elif report.skipped:
        _outcomes.setdefault(report.nodeid, "skipped")
    elif report.when == "call":
        _outcomes.setdefault(report.nodeid, "passed")


def pytest_terminal_summary(terminalreporter) -> None:
    if not _outcomes:
        return
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for nodeid, outcome in _outcomes.items():
        case, data = _cases[nodeid]
        if outcome == "skipped":
            continue
        row = rows[case]
        row[0] += 1
        row[1] += outcome == "passed"
        row[2] += outcome == "failed"
        row[3] += outcome == "failed" and data
    write = terminalreporter.write_line
    terminalreporter.section("security cases (issue 11)")
    write(f"{'case':<34} {'tried':>5} {'held':>5} {'broken':>6} {'data lost':>9}")
    totals = [0, 0, 0, 0]
    for case in sorted(rows):
        tried, held, broken, lost = rows[case]
        totals = [a + b for a, b in zip(totals, rows[case], strict=True)]
        write(f"{case:<34} {tried:>5} {held:>5} {broken:>6} {lost:>9}")
    write(f"{'total':<34} {totals[0]:>5} {totals[1]:>5} {totals[2]:>6} {totals[3]:>9}")
