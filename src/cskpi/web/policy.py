"""Who may do what: the ONE place where roles are decided.

Every route asks :func:`can` (through the helpers in cskpi.web.deps) before it reads or writes
an object; pages only hide links the API would refuse anyway.

Roles:
- admin: everything, user accounts, events; the only role that sees personal data unmasked;
- hr: every group and team, every agent, pay;
- supervisor: the groups of the account (their teams, agents, sessions, scores without pay,
  manual entries);
- agent: only their own figures, scores (with their own pay) and sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cskpi.web.auth import User


class Action(StrEnum):
    CENTER = "center.view"
    LIVE = "live.view"
    GROUP = "group.view"
    TEAM = "team.view"
    AGENT = "agent.view"
    SESSION = "session.view"
    PAY = "pay.view"
    SCORES = "scores.view"
    SCORECARD = "scorecard.view"
    USERS = "users.manage"
    EVENTS = "events.post"
    UNMASKED = "data.unmasked"
    TOKENS = "tokens.own"
    ENTRIES = "entries.write"  # manual entries (cskpi.cycle) for an agent
    REPORTS = "reports.download"  # whole-center workbooks and PDFs (pay included)


@dataclass(frozen=True)
class Group:
    name: str


@dataclass(frozen=True)
class Team:
    name: str
    groups: tuple[str, ...]  # the groups the team's agents belong to


@dataclass(frozen=True)
class Agent:
    agent_id: str
    group: str | None


@dataclass(frozen=True)
class Session:
    agent_id: str | None
    groups: tuple[str, ...]  # the session's routed group and its agent's group


Object = Group | Team | Agent | Session | None


def can(user: User, action: Action, obj: Object = None) -> bool:
    """Whether `user` may do `action` on `obj` (None for actions without an object)."""
    role = user.role
    if role == "admin":
        return True
    if action in (Action.USERS, Action.EVENTS, Action.UNMASKED):
        return False
    if action == Action.TOKENS:
        return True
    if action in (Action.CENTER, Action.LIVE, Action.SCORECARD):
        return role in ("hr", "supervisor")
    if action == Action.REPORTS:
        return role == "hr"
    if action == Action.SCORES:
        return True  # the list is narrowed to what the user may see (see visible_agent)
    if role == "hr":
        return True
    mine = set(user.groups)
    if isinstance(obj, Group):
        return action == Action.GROUP and role == "supervisor" and obj.name in mine
    if isinstance(obj, Team):
        return action == Action.TEAM and role == "supervisor" and bool(mine & set(obj.groups))
    if isinstance(obj, Agent):
        if action == Action.PAY:
            return role == "agent" and obj.agent_id == user.agent_id
        if action == Action.ENTRIES:
            return role == "supervisor" and obj.group in mine
        if action != Action.AGENT:
            return False
        if role == "supervisor":
            return obj.group in mine
        return role == "agent" and obj.agent_id == user.agent_id
    if isinstance(obj, Session):
        if action != Action.SESSION:
            return False
        if role == "supervisor":
            return bool(mine & set(obj.groups))
        return role == "agent" and obj.agent_id is not None and obj.agent_id == user.agent_id
    return False
