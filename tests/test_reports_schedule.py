"""Scheduled delivery: due once the month has closed (and, with the assessment cycle, once it
is approved), written to a folder, mailed through a local SMTP server; and the CLI."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.config import load_config
from cskpi.reports import schedule as sched
from cskpi.store.base import open_store
from reports_month import MONTH, build

NOVEMBER = datetime(2026, 11, 1, 8, 0)  # local time: October has ended


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, smtp: tuple[Inbox, int]) -> str:
    folder = tmp_path_factory.mktemp("month")
    path = build(folder)
    with (folder / "cskpi.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp[1]}\nfrom = "cskpi@example.com"\n'
        )
    return path


@pytest.fixture(autouse=True)
def no_schedules(db: str) -> None:
    """Every test starts without schedules (a failed test must not leave one behind)."""
    store = open_store(db)
    try:
        sched.ensure_tables(store)
        store.execute("DELETE FROM report_runs")
        store.execute("DELETE FROM report_schedules")
    finally:
        store.close()


def test_due_after_the_month_closes_and_only_once(
    db: str, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    store = open_store(db)
    try:
        config = load_config(db)
        added = sched.add_schedule(
            store, formats=["xlsx", "html"], folder=tmp_path / "out", email=["boss@example.com"]
        )
        assert sched.due(store, config, datetime(2026, 10, 31, 23, 0)) == [(added, "2026-09")]
        before = len(inbox.messages)
        outcomes = sched.run_due(store, config, NOVEMBER)
        assert [(o.schedule_id, o.period, o.status) for o in outcomes] == [
            (added.schedule_id, MONTH, "ok")
        ]
        files = sorted((tmp_path / "out" / MONTH).iterdir())
        assert [f.name for f in files] == ["cskpi-2026-10-kpi.html", "cskpi-2026-10-kpi.xlsx"]
        assert openpyxl.load_workbook(files[1]).sheetnames[0] == "概览"
        assert len(inbox.messages) == before + 1
        recipients, content = inbox.messages[-1]
        assert recipients == ["boss@example.com"]
        mail = message_from_bytes(content, policy=policy.default)
        assert str(mail["Subject"]) == "测试客服中心 2026-10 月度绩效报告"
        names = {part.get_filename() for part in mail.walk() if part.get_filename()}
        assert names == {"cskpi-2026-10-kpi.html", "cskpi-2026-10-kpi.xlsx"}
        assert sched.run_due(store, config, NOVEMBER) == []  # delivered: not due again
        assert sched.remove_schedule(store, added.schedule_id)
    finally:
        store.close()


def test_waits_for_the_cycle_to_approve(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cskpi.cycle.service as service

    state = {"value": "under_review"}
    monkeypatch.setattr(
        service,
        "get_period",
        lambda store, scorecard, period: SimpleNamespace(state=state["value"]),
    )
    store = open_store(db)
    try:
        config = load_config(db)
        added = sched.add_schedule(
            store, formats=["xlsx"], folder=tmp_path, scorecard="service-plan"
        )
        outcomes = sched.run_due(store, config, NOVEMBER)
        assert [o.status for o in outcomes] == ["waiting"]
        assert not (tmp_path / MONTH).exists()
        state["value"] = "approved"
        outcomes = sched.run_due(store, config, NOVEMBER)
        assert [o.status for o in outcomes] == ["ok"]
        assert (tmp_path / MONTH / "cskpi-2026-10-service-plan.xlsx").exists()
        sched.remove_schedule(store, added.schedule_id)
    finally:
        store.close()


def test_mail_failure_is_recorded_and_retried(db: str, tmp_path: Path) -> None:
    store = open_store(db)
    try:
        config = load_config(db)
        added = sched.add_schedule(store, formats=["html"], folder=tmp_path, email=["x@y.z"])
        dead = sched.SmtpSettings(host="127.0.0.1", port=_free_port())
        outcomes = sched.run_due(store, config, NOVEMBER, smtp=dead)
        assert [o.status for o in outcomes] == ["error"]
        assert sched.due(store, config, NOVEMBER) == [(added, MONTH)]  # tried again later
        sched.remove_schedule(store, added.schedule_id)
    finally:
        store.close()


def test_bad_schedule_is_refused(db: str, tmp_path: Path) -> None:
    store = open_store(db)
    try:
        with pytest.raises(sched.ReportError) as error:
            sched.add_schedule(store, formats=["docx"], folder=tmp_path)
        assert error.value.code == "schedule.bad_format"
    finally:
        store.close()


def test_cli_report_and_schedule(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    xlsx = tmp_path / "report.xlsx"
    result = runner.invoke(
        app,
        [
            "--lang",
            "en",
            "report",
            "--db",
            db,
            "--period",
            MONTH,
            "--scorecard",
            "service-plan",
            "--by",
            "team",
            "--xlsx",
            str(xlsx),
            "--report-lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[:2] == ["Overview", "Ranking and pay"]
    result = runner.invoke(app, ["report", "--db", db, "--period", MONTH])
    assert result.exit_code == 2
    result = runner.invoke(
        app,
        [
            "--lang",
            "en",
            "schedule",
            "add",
            "--db",
            db,
            "--monthly",
            "--report",
            "xlsx",
            "--to",
            str(tmp_path / "cron"),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--lang", "en", "schedule", "list", "--db", db, "-f", "json"])
    assert '"formats": "xlsx"' in result.output
    result = runner.invoke(
        app, ["--lang", "en", "schedule", "run", "--db", db, "--now", "2026-11-02T06:00"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cron" / MONTH / "cskpi-2026-10-kpi.xlsx").exists()
    result = runner.invoke(
        app, ["--lang", "en", "schedule", "run", "--db", db, "--now", "2026-11-02T06:00"]
    )
    assert "Nothing is due" in result.output
