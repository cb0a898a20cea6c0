"""ECharts options built from the same data the API returns (static/app.js draws them)."""

from __future__ import annotations

from typing import Any

from cskpi.i18n import t

PALETTE = ["#1f6feb", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#1098ad"]


def _base() -> dict[str, Any]:
    return {
        "color": PALETTE,
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 48, "right": 48, "top": 40, "bottom": 32},
    }


def trend(data: dict[str, Any], keys: tuple[str, ...], lang: str) -> dict[str, Any]:
    """Daily lines: the first key on the left axis (counts), the others on the right."""
    series = [s for s in data["series"] if s["key"] in keys]
    option = _base() | {
        "legend": {"top": 4, "data": [s["label"] for s in series]},
        "xAxis": {"type": "category", "data": [d[5:] for d in data["days"]]},
        "yAxis": [
            {"type": "value"},  # the legend names the series
            {"type": "value", "splitLine": {"show": False}},
        ],
        "series": [],
    }
    for index, s in enumerate(series):
        values = s["values"]
        if s["unit"] == "rate":
            values = [None if v is None else round(v * 100, 2) for v in values]
        elif isinstance(values, list):
            values = [None if v is None else round(v, 2) for v in values]
        option["series"].append(
            {
                "name": s["label"],
                "type": "bar" if index == 0 else "line",
                "yAxisIndex": 0 if index == 0 else 1,
                "data": values,
                "connectNulls": True,
                "smooth": index > 0,
                "symbolSize": 4,
            }
        )
    return option


def units(rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Groups or teams side by side: sessions (bars) and first/average response (lines)."""
    names = [r["name"] for r in rows]

    def values(key: str) -> list[Any]:
        out = []
        for r in rows:
            f = next((f for f in r["figures"] if f["key"] == key), None)
            v = f["value"] if f else None
            out.append(None if v is None else round(v, 2))
        return out

    first = next((f for r in rows for f in r["figures"]), None)
    labels = {f["key"]: f["label"] for r in rows[:1] for f in r["figures"]}
    if first is None:
        return _base()
    return _base() | {
        "legend": {"top": 4},
        "xAxis": {"type": "category", "data": names},
        "yAxis": [
            {"type": "value"},
            {"type": "value", "name": t("web.chart.seconds", lang), "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": labels.get("sessions", "sessions"),
                "type": "bar",
                "data": values("sessions"),
                "barMaxWidth": 48,
            },
            {
                "name": labels.get("first_response_time", ""),
                "type": "line",
                "yAxisIndex": 1,
                "data": values("first_response_time"),
            },
            {
                "name": labels.get("avg_response_time", ""),
                "type": "line",
                "yAxisIndex": 1,
                "data": values("avg_response_time"),
            },
        ],
    }


def hourly(data: dict[str, Any], lang: str) -> dict[str, Any]:
    return _base() | {
        "legend": {"top": 4},
        "xAxis": {"type": "category", "data": [f"{h:02d}" for h in data["hours"]]},
        "yAxis": [
            {"type": "value"},
            {"type": "value", "name": t("web.chart.seconds", lang), "splitLine": {"show": False}},
        ],
        "series": [
            {"name": t("web.chart.requests", lang), "type": "bar", "data": data["requests"]},
            {"name": t("web.chart.abandoned", lang), "type": "bar", "data": data["abandoned"]},
            {"name": t("web.chart.queued_long", lang), "type": "bar", "data": data["queued_long"]},
            {
                "name": t("web.chart.avg_queue", lang),
                "type": "line",
                "yAxisIndex": 1,
                "data": data["avg_queue_seconds"],
                "smooth": True,
            },
        ],
    }


def score_items(result: dict[str, Any], lang: str) -> dict[str, Any]:
    """Points earned against the weight of each item (where the score came from)."""
    items = result["items"]
    names = [i["label"]["en" if lang == "en" else "zh"] for i in items]
    return _base() | {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 120, "right": 24, "top": 32, "bottom": 24},
        "legend": {"top": 4},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [
            {
                "name": t("web.score.points", lang),
                "type": "bar",
                "data": [i["points"] for i in items],
                "barGap": "-100%",
                "z": 2,
            },
            {
                "name": t("web.score.weight", lang),
                "type": "bar",
                "data": [i["weight"] for i in items],
                "itemStyle": {"color": "#e9ecef"},
                "z": 1,
            },
        ],
    }


def states(counts: dict[str, int], lang: str) -> dict[str, Any]:
    colors = {"idle": "#2f9e44", "busy": "#e8590c", "away": "#f08c00", "offline": "#adb5bd"}
    return {
        "animation": False,
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["45%", "70%"],
                "top": -10,
                "data": [
                    {
                        "name": t(f"web.state.{k}", lang),
                        "value": v,
                        "itemStyle": {"color": colors.get(k)},
                    }
                    for k, v in counts.items()
                ],
            }
        ],
    }
