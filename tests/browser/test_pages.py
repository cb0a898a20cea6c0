"""In real Chromium, as each role: log in, open every page the role may open, check the charts
rendered and the numbers on the page equal the API's, check refused pages, watch the live
monitor update by server push, use the scorecard editor, switch to English. Every page is
saved as a screenshot (artifacts/screenshots/<role>-<page>.png). No request may leave the
machine (no CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from browser_support import browser, server, shots  # noqa: F401

from web_app import MONTH, PASSWORDS, World, live_batch

pytestmark = pytest.mark.browser
DEFAULT_CARD = "general-kpi"


class Visit:
    """One role's browser tab, with the API at hand through the same cookies."""

    def __init__(self, chromium: Any, base: str, role: str, folder: Path) -> None:
        self.base, self.role, self.shots = base, role, folder
        self.context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        self.outside: list[str] = []
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _only_local(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def login(self) -> None:
        self.page.goto(self.base + "/login")
        self.page.fill("input[name=username]", self.role)
        self.page.fill("input[name=password]", PASSWORDS[self.role])
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        assert "/login" not in self.page.url, f"{self.role} could not log in"

    def open(self, path: str, name: str, status: int = 200) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == status, (
            f"{self.role} {path}: {response.status if response else None}"
        )
        self.page.wait_for_load_state("networkidle")
        if status == 200:
            self.charts()
        self.page.screenshot(path=str(self.shots / f"{self.role}-{name}.png"), full_page=True)

    def api(self, path: str) -> Any:
        response = self.context.request.get(self.base + path)
        assert response.ok, f"{path}: {response.status}"
        return response.json()

    def charts(self) -> None:
        charts = self.page.locator("[data-chart]")
        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.locator("canvas").first.wait_for(timeout=10_000)
            self.page.wait_for_function(
                "el => el.dataset.rendered === '1'", arg=chart.element_handle(), timeout=10_000
            )
            box = chart.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 100

    def kpis_match(self, kpis: list[dict[str, Any]]) -> None:
        shown = 0
        for k in kpis:
            cell = self.page.locator(f'.kpi[data-metric="{k["key"]}"] .kpi-value')
            assert cell.count() == 1, k["key"]
            assert cell.inner_text().strip() == k["display"], k["key"]
            shown += 1
        assert shown >= 10

    def close(self) -> None:
        assert not self.outside, f"requests left the machine: {self.outside}"
        assert not self.errors, f"JavaScript errors: {self.errors}"
        self.context.close()


@pytest.fixture
def visit(browser: Any, server: tuple[str, World], shots: Path) -> Any:  # noqa: F811
    opened: list[Visit] = []

    def make(role: str) -> Visit:
        v = Visit(browser, server[0], role, shots)
        v.login()
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.close()


def check_overview(v: Visit) -> None:
    v.open(f"/overview?period={MONTH}", "overview")
    data = v.api(f"/api/overview?period={MONTH}")
    v.kpis_match(data["kpis"])
    assert v.page.locator("[data-chart] canvas").count() >= 3
    assert v.page.locator(".advisory details").count() == len(data["advisory"])


def check_unit(v: Visit, level: str, name: str) -> None:
    path = f"/{level}s/{quote(name)}?period={MONTH}"
    v.open(path, level)
    data = v.api(f"/api/{level}s/{quote(name)}?period={MONTH}")
    v.kpis_match(data["kpis"])
    assert v.page.locator("table.ranking tbody tr").count() == len(data["agents"])
    v.open(f"/{level}s?period={MONTH}", f"{level}s")


def check_agent(v: Visit, agent_id: str) -> None:
    v.open(f"/agents/{agent_id}?period={MONTH}&scorecard={DEFAULT_CARD}", "agent")
    data = v.api(f"/api/agents/{agent_id}?period={MONTH}")
    v.kpis_match(data["kpis"])
    result = v.api(f"/api/agents/{agent_id}/scores?period={MONTH}&scorecard={DEFAULT_CARD}")
    total = v.page.locator('[data-field="total"]').first.inner_text()
    assert total.startswith(f"{result['result']['total']:.1f}")
    assert v.page.locator("table[data-table=items] tbody tr").count() == len(
        result["result"]["items"]
    ) + len(result["result"]["bonus_items"])
    # a figure links to the sessions behind it
    link = v.page.locator('.kpi[data-metric="invalid_rate"] .kpi-value a')
    link.click()
    v.page.wait_for_load_state("networkidle")
    assert "kind=invalid" in v.page.url
    drill = v.api(f"/api/agents/{agent_id}/sessions?period={MONTH}&kind=invalid")
    assert str(drill["total"]) in v.page.locator('[data-field="total"]').inner_text()
    rows = v.page.locator("table[data-table=sessions] tbody tr")
    assert rows.count() == min(drill["total"], 50)
    v.page.screenshot(path=str(v.shots / f"{v.role}-sessions.png"), full_page=True)
    first = drill["sessions"][0]["session_id"]
    v.open(f"/sessions/{first}", "session")
    assert v.page.locator(".facts").count() == 1


def check_assessment(v: Visit, only: str | None = None) -> None:
    v.open(f"/assessment?scorecard={DEFAULT_CARD}&period={MONTH}&other=monthly-plan", "assessment")
    data = v.api(f"/api/scores?scorecard={DEFAULT_CARD}&period={MONTH}")
    rows = v.page.locator("table[data-table=scores] tbody tr")
    assert rows.count() == len(data["rows"])
    for index, row in enumerate(data["rows"]):
        assert rows.nth(index).get_attribute("data-agent") == row["agent_id"]
        assert rows.nth(index).locator('[data-field="total"]').inner_text() == str(row["total"])
    if only:
        assert [r["agent_id"] for r in data["rows"]] == [only]
    assert v.page.locator("table[data-table=compare] tbody tr").count() == len(data["rows"])


def check_live(v: Visit, base: str, world: World) -> None:
    v.open("/live", "live")
    v.page.wait_for_function(
        "() => document.getElementById('live-status').dataset.state === 'connected'", timeout=10_000
    )
    waiting = v.page.locator('[data-live="waiting"]')
    before = int(waiting.inner_text())
    with httpx.Client(base_url=base) as admin:
        admin.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]})
        batch = live_batch(world.own_agent, world.own_group, f"browser-{v.role}")
        assert admin.post("/api/events", json=batch).status_code == 200
    v.page.wait_for_function(
        f"() => Number(document.querySelector('[data-live=\"waiting\"]').textContent) "
        f">= {before + 1}",
        timeout=10_000,
    )
    assert v.page.locator('[data-live="agents"] tr').count() >= 1
    v.page.screenshot(path=str(v.shots / f"{v.role}-live-updated.png"), full_page=True)


def check_editor(v: Visit) -> None:
    v.open("/scorecards", "scorecards")
    v.open("/scorecards/presales-standard", "scorecard-editor")
    v.page.click("#btn-check")
    v.page.wait_for_function("() => document.getElementById('editor').dataset.checked === '1'")
    assert v.page.locator("#findings li.ok").count() == 1
    v.page.click("#btn-preview")
    v.page.wait_for_function(
        "() => Number(document.getElementById('editor').dataset.previewed || 0) > 0", timeout=30_000
    )
    v.page.screenshot(path=str(v.shots / f"{v.role}-scorecard-preview.png"), full_page=True)


def test_admin_sees_everything(visit: Any, server: tuple[str, World]) -> None:  # noqa: F811
    base, world = server
    v = visit("admin")
    check_overview(v)
    check_unit(v, "group", world.other_group)
    check_unit(v, "team", world.own_team)
    v.open(f"/agents?period={MONTH}", "agents")
    check_agent(v, world.other_agent)
    check_assessment(v)
    assert v.page.locator("[data-download=workbook]").count() == 1
    check_live(v, base, world)
    check_editor(v)
    v.open("/admin/users", "users")
    assert v.page.locator("table[data-table=users] tbody tr").count() >= 5
    v.open("/docs", "docs")
    v.page.locator(".swagger-ui .info").wait_for(timeout=15_000)
    v.page.screenshot(path=str(v.shots / "admin-docs.png"))


def test_hr_sees_all_groups_and_pay(visit: Any, server: tuple[str, World]) -> None:  # noqa: F811
    world = server[1]
    v = visit("hr")
    check_overview(v)
    check_unit(v, "group", world.own_group)
    check_agent(v, world.own_agent)
    check_assessment(v)
    assert v.page.locator('table[data-table=scores] [data-field="pay"]').count() > 0
    v.open("/admin/users", "users-refused", status=403)


def test_supervisor_sees_own_groups(visit: Any, server: tuple[str, World]) -> None:  # noqa: F811
    base, world = server
    v = visit("supervisor")
    check_overview(v)
    check_unit(v, "group", world.own_group)
    check_unit(v, "team", world.own_team)
    check_agent(v, world.own_agent)
    check_assessment(v)
    assert v.page.locator('table[data-table=scores] [data-field="pay"]').count() == 0
    check_live(v, base, world)
    check_editor(v)
    v.open(f"/groups/{quote(world.other_group)}", "other-group-refused", status=403)
    v.open(f"/agents/{world.other_agent}", "other-agent-refused", status=403)


def test_agent_sees_only_themself(visit: Any, server: tuple[str, World]) -> None:  # noqa: F811
    world = server[1]
    v = visit("agent")
    assert f"/agents/{world.own_agent}" in v.page.url  # the home page is their own page
    check_agent(v, world.own_agent)
    check_assessment(v, only=world.own_agent)
    for path, name in (
        (f"/agents/{world.other_agent}", "other-agent-refused"),
        ("/overview", "overview-refused"),
        ("/live", "live-refused"),
        (f"/sessions/{world.other_session}", "other-session-refused"),
    ):
        v.open(path, name, status=403)
    nav = v.page.locator(".mainnav a")
    assert {nav.nth(i).get_attribute("data-nav") for i in range(nav.count())} == {
        "agents",
        "assessment",
    }


def test_english_switch(visit: Any, server: tuple[str, World]) -> None:  # noqa: F811
    v = visit("hr")
    v.open(f"/overview?period={MONTH}", "overview-zh")
    assert v.page.locator('[data-nav="overview"]').inner_text() == "整体运营"
    v.page.click(".userbox .lang")
    v.page.wait_for_load_state("networkidle")
    assert v.page.locator('[data-nav="overview"]').inner_text() == "Overview"
    v.charts()
    data = v.api(f"/api/overview?period={MONTH}&lang=en")
    v.kpis_match(data["kpis"])
    assert v.page.locator('.kpi[data-metric="sessions"] .kpi-label').inner_text() == (
        "Sessions handled"
    )
    v.page.screenshot(path=str(v.shots / "hr-overview-en.png"), full_page=True)
