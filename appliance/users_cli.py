"""`depotline users`: list the people who may sign in, and add one — the way in on a box whose
database has no admin yet (the web pages need someone signed in to add users)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from appliance import first_boot
from appliance.config import DEFAULT_PATH, EX_CONFIG, ConfigError, WebConfig, load
from appliance.store import (
    AGENT_ID_MAX_DIGITS,
    PIN_MAX_DIGITS,
    PIN_MIN_DIGITS,
    Role,
    Store,
    StoreError,
    is_agent_id,
    is_keypad_pin,
)

EX_DATAERR = 65
EX_IOERR = 74
MIN_PASSWORD_CHARS = 8


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="depotline users", description="List or add the people who may sign in."
    )
    parser.add_argument("--config", default=DEFAULT_PATH, help=f"configuration ({DEFAULT_PATH})")
    parser.add_argument("--db", default="", help="database file (default: the configured one)")
    verbs = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    verbs.add_parser("list", help="everyone who may sign in, with their role")
    add = verbs.add_parser("add", help="add a person (asks for the password)")
    add.add_argument("agent_id", help="工号: the id they sign in with")
    add.add_argument("--name", required=True, help="their name as the pages show it")
    add.add_argument("--role", choices=[role.value for role in Role], default=Role.AGENT.value)
    add.add_argument("--pin", default="", help="keypad PIN for logging in on a desk phone")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    return parser


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("password again: "):
        raise ValueError("the two passwords differ")
    return first


async def _list(database: str) -> int:
    store = await Store.open(database)
    try:
        for user in await store.users():
            print(f"{user.agent_id}\t{user.role.value}\t{user.name}")
    finally:
        await store.close()
    return 0


async def _add(database: str, args: argparse.Namespace, password: str, web_port: int) -> int:
    store = await Store.open(database)
    try:
        added = await store.add_user(
            args.agent_id, args.name, Role(args.role), password, pin=args.pin
        )
    finally:
        await store.close()
    if not added:
        print(f"depotline users: {args.agent_id} is already taken", file=sys.stderr)
        return EX_DATAERR
    print(f"depotline users: added {args.agent_id} ({args.name}) as {args.role}")
    if Role(args.role) is Role.ADMIN:
        _close_first_boot(database, web_port)
    return 0


def _close_first_boot(database: str, web_port: int) -> None:
    """With an admin, the box is claimed: the first-boot setup code (docs/box.md) goes."""
    if first_boot.close(Path(database).resolve().parent, web_port):
        print("depotline users: the first-boot setup page is closed")


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        # with --db the configuration is optional (a box being set up by hand may have none)
        config = load(args.config) if not args.db or os.path.isfile(args.config) else None
        database = args.db or (config.depot.database if config is not None else "")
        web_port = config.web.port if config is not None else WebConfig().port
    except ConfigError as error:
        print(f"depotline users: {error}", file=sys.stderr)
        return EX_CONFIG
    try:
        if args.action == "list":
            return asyncio.run(_list(database))
        password = _password(args.password_stdin)
        if len(password) < MIN_PASSWORD_CHARS:
            raise ValueError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
        if not is_agent_id(args.agent_id):
            raise ValueError(f"the 工号 must be 1 to {AGENT_ID_MAX_DIGITS} digits 0-9")
        if args.pin and not is_keypad_pin(args.pin):
            raise ValueError(f"the PIN must be {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
        return asyncio.run(_add(database, args, password, web_port))
    except ValueError as error:
        print(f"depotline users: {error}; nothing was added", file=sys.stderr)
        return EX_DATAERR
    except StoreError as error:
        print(f"depotline users: {error}", file=sys.stderr)
        return EX_IOERR
