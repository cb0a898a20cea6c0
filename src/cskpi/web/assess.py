"""Assessment views: scorecard results, ranking rows, what-if compare, editor preview."""

from __future__ import annotations

from functools import cache
from typing import Any

from cskpi.metrics.catalog import format_value
from cskpi.scoring import compare, describe_templates, load_scorecard, score
from cskpi.scoring.loader import template_path
from cskpi.scoring.models.scorecard import Scorecard
from cskpi.scoring.results import AgentResult
from cskpi.scoring.store_inputs import StoreInputs
from cskpi.scoring.validation.check import check_text, parse
from cskpi.web.service import METRIC_DRILL, NotFound, Service


def scorecards(service: Service) -> list[dict[str, Any]]:
    return service.cached("scorecards", (), describe_templates)


def card(name: str) -> Scorecard:
    try:
        return load_scorecard(name)
    except FileNotFoundError:
        raise NotFound("web.error.no_scorecard", scorecard=name) from None


def card_text(name: str) -> str:
    path = template_path(name)
    if not path.exists():
        raise NotFound("web.error.no_scorecard", scorecard=name)
    return path.read_text(encoding="utf-8")


def applies(sc: Scorecard, agent: dict[str, Any]) -> bool:
    rule = sc.applies_to
    if agent["agent_id"] in rule.agents:
        return True
    if not (rule.roles or rule.groups):
        return not rule.agents
    return (not rule.roles or agent.get("role") in rule.roles) and (
        not rule.groups or agent.get("group") in rule.groups
    )


@cache
def _templates() -> tuple[Scorecard, ...]:
    """The shipped templates, parsed once (they do not change while the server runs)."""
    return tuple(load_scorecard(d["name"]) for d in describe_templates())


def default_card(agent: dict[str, Any]) -> str:
    """The most specific shipped scorecard for an agent (role/group templates first)."""
    cards = _templates()
    specific = [
        c.name for c in cards if (c.applies_to.roles or c.applies_to.groups) and applies(c, agent)
    ]
    general = [c.name for c in cards if applies(c, agent)]
    return (specific or general or [c.name for c in cards])[0]


def results(service: Service, name: str, period: str) -> list[AgentResult]:
    def make() -> list[AgentResult]:
        sc = card(name)
        return score(sc, StoreInputs(service.store, service.config, sc.name), period)

    return service.cached("scores", (name, period), make, period)


def result_dict(
    result: AgentResult, agent: dict[str, Any] | None, show_pay: bool
) -> dict[str, Any]:
    data = result.to_dict()
    if not show_pay:
        data.pop("pay", None)
        data["coefficient"] = None
    if agent is not None:
        data |= {"name": agent.get("name"), "group": agent.get("group"), "team": agent.get("team")}
    for item in [*data["items"], *data["bonus_items"]]:
        item["display"] = (
            format_value(item["metric"], item["value"])
            if item.get("metric")
            else ("—" if item["value"] is None else f"{item['value']:g}")
        )
        item["drill"] = METRIC_DRILL.get(item.get("metric") or "")
    return data


def ranking_row(
    result: AgentResult, agent: dict[str, Any] | None, show_pay: bool
) -> dict[str, Any]:
    row = {
        "agent_id": result.agent_id,
        "name": agent.get("name") if agent else None,
        "group": agent.get("group") if agent else None,
        "team": agent.get("team") if agent else None,
        "rank": result.rank,
        "total": round(result.total, 2),
        "base": round(result.base, 2),
        "bonus": round(result.bonus, 2),
        "grade": result.grade,
        "missing": sum(1 for i in result.items if i.missing),
        "warnings": [w.kind for w in result.warnings],
    }
    if show_pay:
        row["coefficient"] = result.coefficient
        row["pay"] = None if result.pay is None else round(float(result.pay.get("total", 0)), 2)
    return row


def what_if(service: Service, name: str, other: str, period: str) -> list[dict[str, Any]]:
    return compare(results(service, name, period), results(service, other, period))


def check(text: str) -> list[dict[str, Any]]:
    return [finding_dict(f) for f in check_text(text, "<editor>")]


def finding_dict(f: Any) -> dict[str, Any]:
    return f.to_dict()


def preview(
    service: Service, text: str, period: str
) -> tuple[list[AgentResult] | None, list[dict[str, Any]]]:
    """Score a period with an edited scorecard (nothing is saved)."""
    findings = check(text)
    sc, _, parse_findings = parse(text, "<editor>")
    if sc is None or any(f["severity"] == "error" for f in findings):
        return None, findings or [finding_dict(f) for f in parse_findings]
    with service.lock:
        found = score(sc, StoreInputs(service.store, service.config, sc.name), period)
    return found, findings
