"""Optional business hours (metrics.md, General rules): response, queue and duration times
count only time inside them. Every figure below is worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from cskpi.config import Config, ConfigError, load_config
from cskpi.ingest.importer import run_import
from cskpi.metrics.engine import compute
from cskpi.store.base import open_store

SESSIONS = """session_id,channel,customer_id,agent_id,created_at,queued_at,accepted_at,ended_at
B1,web,C1,A1,2026-10-12 08:50:00,2026-10-12 08:50:00,2026-10-12 09:05:00,2026-10-12 09:15:00
B2,web,C2,A1,2026-10-12 17:50:00,,2026-10-12 17:55:00,2026-10-13 09:10:00
"""
MESSAGES = """message_id,session_id,sender,sent_at,source
m1,B1,customer,2026-10-12 09:06:00,
m2,B1,agent,2026-10-12 09:07:00,manual
m3,B2,customer,2026-10-12 17:58:00,
m4,B2,agent,2026-10-13 09:01:00,manual
"""
METRICS = ["avg_queue_time", "avg_session_duration", "avg_response_time", "first_response_time"]


def figures(tmp_path: Path, db: str, config: Config) -> dict:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    (folder / "sessions.csv").write_text(SESSIONS, "utf-8")
    (folder / "messages.csv").write_text(MESSAGES, "utf-8")
    with open_store(db) as store:
        assert not run_import(store, [folder], config, strict=True).aborted
        frame = compute(store, config, by=[], period="2026-10", metrics=METRICS)
    return frame.to_dict(orient="records")[0]


def test_business_hours_count_only_open_time(tmp_path: Path, db: str) -> None:
    row = figures(tmp_path, db, Config(business_hours=("09:00", "18:00")))
    # B1 queued 08:50 → accepted 09:05: only 09:00–09:05 is open time = 300 s.
    assert row["avg_queue_time"] == pytest.approx(300)
    # Durations: B1 09:05–09:15 = 600; B2 17:55–18:00 (300) + next day 09:00–09:10 (600) = 900.
    assert row["avg_session_duration"] == pytest.approx((600 + 900) / 2)
    # Responses: B1 09:06 → 09:07 = 60; B2 17:58 → 18:00 (120) + 09:00 → 09:01 (60) = 180.
    assert row["avg_response_time"] == pytest.approx((60 + 180) / 2)
    assert row["first_response_time"] == pytest.approx((60 + 180) / 2)


def test_without_business_hours_every_second_counts(tmp_path: Path, db: str) -> None:
    row = figures(tmp_path, db, Config())
    assert row["avg_queue_time"] == pytest.approx(900)  # 08:50 → 09:05
    # B2 runs 17:55 → 09:10 next day = 15 h 15 min = 54,900 s.
    assert row["avg_session_duration"] == pytest.approx((600 + 54_900) / 2)
    # B2's reply comes 15 h 3 min after the question = 54,180 s.
    assert row["avg_response_time"] == pytest.approx((60 + 54_180) / 2)


@pytest.mark.parametrize("value", ['["18:00", "09:00"]', '["9am", "6pm"]', '["09:00"]'])
def test_bad_business_hours_are_refused(tmp_path: Path, value: str) -> None:
    (tmp_path / "cskpi.toml").write_text(f"business_hours = {value}\n", "utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(str(tmp_path / "cskpi.duckdb"))
    assert error.value.code == "config.business_hours"
