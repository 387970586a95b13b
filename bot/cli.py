"""The `sisterbot` command: run, check, import, export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.config import Config, ConfigError, load_config
from storage.db import Database, DatabaseError
from storage.partnerships import PartnershipRepository

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2


def _configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _run(args: argparse.Namespace, config: Config) -> int:
    from bot.app import check_connection, run

    config.require_token()
    _configure_logging(args.verbose)
    asyncio.run(check_connection(config))
    run(config)
    return EXIT_OK


def _check(args: argparse.Namespace, config: Config) -> int:
    from bot.checkup import check

    lines, ok = asyncio.run(check(config))
    for line in lines:
        print(line)
    return EXIT_OK if ok else EXIT_FAILED


def _import(args: argparse.Namespace, config: Config) -> int:
    from bot.registry.import_export import import_registry_csv

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"sisterbot: {path}: cannot be read ({error.strerror})", file=sys.stderr)
        return EXIT_FAILED

    async def import_into_database() -> int:
        db = await Database.open(config.database_path)
        try:
            report = await import_registry_csv(db, data, recorded_by="sisterbot import", source=path.name)
        finally:
            await db.close()
        if report.errors:
            for error in report.errors:
                print(f"{path}: line {error.line}: {error.reason}", file=sys.stderr)
            bad = len(report.errors)
            print(f"{path}: nothing imported; fix the {bad} problem(s) above and retry", file=sys.stderr)
            return EXIT_FAILED
        if not report.changed:
            print(f"{path}: no changes ({report.unchanged} partnerships already up to date)")
        else:
            print(
                f"{path}: {report.added} added, {report.updated} updated, "
                f"{report.status_changed} status changes recorded, {report.unchanged} unchanged"
            )
        return EXIT_OK

    return asyncio.run(import_into_database())


def _export(args: argparse.Namespace, config: Config) -> int:
    from bot.registry.import_export import export_registry_csv

    async def export_from_database() -> tuple[bytes, int]:
        db = await Database.open(config.database_path, create=False)
        try:
            return await export_registry_csv(db), await PartnershipRepository(db).count()
        finally:
            await db.close()

    data, count = asyncio.run(export_from_database())
    if args.file == "-":
        sys.stdout.buffer.write(data)
        return EXIT_OK
    path = Path(args.file)
    try:
        path.write_bytes(data)
    except OSError as error:
        print(f"sisterbot: {path}: cannot be written ({error.strerror})", file=sys.stderr)
        return EXIT_FAILED
    print(f"{path}: {count} partnerships exported")
    return EXIT_OK


def _demo(args: argparse.Namespace, config: Config) -> int:
    from bot.demo import run_demo

    return run_demo(Path(args.script) if args.script else None, config.defaults)


def build_parser() -> argparse.ArgumentParser:
    """The command line, one subcommand per task."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="PATH",
        help="configuration file (default: ./config.toml when it exists, else built-in defaults)",
    )
    parser = argparse.ArgumentParser(
        prog="sisterbot",
        description="A Telegram bot that helps sister-city committees keep their partnerships alive.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", parents=[common], help="run the bot (long polling or webhook)")
    run.add_argument("-v", "--verbose", action="store_true", help="log debug messages too")
    run.set_defaults(handler=_run)

    check = commands.add_parser("check", parents=[common], help="validate the configuration and database")
    check.set_defaults(handler=_check)

    importer = commands.add_parser(
        "import", parents=[common], help="import partnerships from a CSV file (all rows or none)"
    )
    importer.add_argument("file", metavar="FILE.csv")
    importer.set_defaults(handler=_import)

    exporter = commands.add_parser("export", parents=[common], help="export all partnerships to a CSV file")
    exporter.add_argument("file", metavar="FILE.csv", help="where to write ('-' for standard output)")
    exporter.set_defaults(handler=_export)
    demo = commands.add_parser(
        "demo", parents=[common], help="chat with the bot in this terminal, offline, on sample data"
    )
    demo.add_argument(
        "--script",
        metavar="FILE",
        help="play the lines of FILE instead of reading the terminal; print the transcript",
    )
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sisterbot` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace, Config], int] = args.handler
    try:
        config = load_config(args.config)
        return handler(args, config)
    except (ConfigError, DatabaseError) as error:
        print(f"sisterbot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_FAILED
