"""`cskpi serve` and `cskpi user …`: thin commands over cskpi.web (registered in cskpi.cli)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from cskpi.i18n import t
from cskpi.store.base import Store, StoreError, open_store
from cskpi.web import auth

err = Console(stderr=True)
out = Console()
user_app = typer.Typer(help=t("web.user.help"), no_args_is_help=True, rich_markup_mode=None)

DbOption = Annotated[str, typer.Option("--db", help=t("opt.db"), envvar="CSKPI_DB")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]{t('error.prefix')}:[/] {message}", highlight=False)
    return typer.Exit(code)


def _open(db: str) -> Store:
    from pathlib import Path

    if "://" not in db and not Path(db).exists():
        raise _fail(t("store.missing", path=db))
    try:
        store = open_store(db)
    except StoreError as error:
        raise _fail(t(error.code, **error.params)) from None
    from cskpi.web.app import ensure_tables

    ensure_tables(store)
    return store


def serve(
    db: DbOption = "cskpi.duckdb",
    host: Annotated[str, typer.Option("--host", help=t("web.serve.opt.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=t("web.serve.opt.port"))] = 8000,
    admin_password: Annotated[
        str | None,
        typer.Option(
            "--admin-password",
            help=t("web.serve.opt.admin_password"),
            envvar="CSKPI_ADMIN_PASSWORD",
        ),
    ] = None,
) -> None:
    """Serve the pages, /api/ and /docs on HOST:PORT over the store DB."""
    import uvicorn

    from cskpi.web.app import create_app

    store = _open(db)
    if not auth.has_admin(store):
        if admin_password is None:
            if not sys.stdin.isatty():
                store.close()
                raise _fail(t("web.serve.need_password"), 2)
            err.print(t("web.serve.no_admin"))
            admin_password = typer.prompt("admin", hide_input=True, confirmation_prompt=True)
        try:
            auth.add_user(store, "admin", admin_password, "admin", display_name="管理员")
        except auth.AuthError as error:
            store.close()
            raise _fail(t(error.code, **error.params), 2) from None
        err.print(t("web.serve.admin_created"))
    app = create_app(db, store=store, warm=True)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    err.print(t("web.serve.open", url=f"http://{shown}:{port}"), highlight=False)
    # Open live monitors hold a stream: give them 3 s on Ctrl+C instead of waiting forever.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)


@user_app.command("add", help=t("web.user.add.help"))
def user_add(
    name: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option("--role", help=t("web.user.opt.role"))],
    group: Annotated[
        list[str] | None, typer.Option("--group", help=t("web.user.opt.group"))
    ] = None,
    agent: Annotated[str | None, typer.Option("--agent", help=t("web.user.opt.agent"))] = None,
    password: Annotated[
        str | None,
        typer.Option("--password", help=t("web.user.opt.password"), envvar="CSKPI_USER_PASSWORD"),
    ] = None,
    db: DbOption = "cskpi.duckdb",
) -> None:
    if password is None:
        password = typer.prompt(name, hide_input=True, confirmation_prompt=True)
    store = _open(db)
    try:
        user = auth.add_user(store, name, password, role, group or [], agent)
    except auth.AuthError as error:
        raise _fail(t(error.code, **error.params), 2) from None
    finally:
        store.close()
    out.print(t("web.user.added", role=user.role, name=user.username), highlight=False)


@user_app.command("list", help=t("web.user.list.help"))
def user_list(db: DbOption = "cskpi.duckdb") -> None:
    from cskpi.output import OutputFormat, emit

    store = _open(db)
    try:
        rows = [
            {
                "username": u.username,
                "role": u.role,
                "groups": ", ".join(u.groups),
                "agent_id": u.agent_id or "",
            }
            for u in auth.list_users(store)
        ]
    finally:
        store.close()
    emit(rows, OutputFormat.table, console=out)


@user_app.command("remove", help=t("web.user.remove.help"))
def user_remove(name: Annotated[str, typer.Argument()], db: DbOption = "cskpi.duckdb") -> None:
    store = _open(db)
    try:
        if not auth.remove_user(store, name):
            raise _fail(t("web.error.no_user", user=name))
    finally:
        store.close()
    out.print(t("web.user.removed", name=name), highlight=False)


@user_app.command("token", help=t("web.user.token.help"))
def user_token(
    name: Annotated[str, typer.Argument()],
    db: DbOption = "cskpi.duckdb",
    label: Annotated[str, typer.Option("--name", help=t("web.user.opt.token_name"))] = "cli",
) -> None:
    store = _open(db)
    try:
        if auth.get_user(store, name) is None:
            raise _fail(t("web.error.no_user", user=name))
        _, token = auth.create_token(store, name, label)
    finally:
        store.close()
    err.print(t("web.user.token", name=name), highlight=False)
    print(token)
