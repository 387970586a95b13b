"""`sisterbot check`: what the configuration and the database hold, said plainly."""

from __future__ import annotations

import aiosqlite

from bot.config import TELEGRAM_BASE_URL, WEBHOOK_UNGUARDED, Config
from storage.db import Database, DatabaseError, check_version
from storage.migrations import MIGRATIONS


async def check(config: Config) -> tuple[list[str], bool]:
    """Lines describing the configuration and database, and whether the bot could start on them."""
    ok = True
    lines = [f"config: {config.source or 'no config file; built-in defaults'}"]
    telegram = config.telegram
    if telegram.token:
        lines.append("token: present")
    else:
        ok = False
        lines.append("token: MISSING - set [telegram] token or TELEGRAM_BOT_TOKEN (needed to run)")
    server = "Telegram" if telegram.base_url == TELEGRAM_BASE_URL else telegram.base_url
    lines.append(f"bot API: {server}, {telegram.mode}")
    if telegram.mode == "webhook":
        address = f"{telegram.listen}:{telegram.port}"
        if telegram.secret_token:
            lines.append(f"webhook: {telegram.webhook_url} -> {address}, with a secret token")
        else:
            ok = False
            lines.append(f"webhook: ERROR - [telegram] secret_token: {WEBHOOK_UNGUARDED}")
    lines.append(f"admins: {len(config.admins)}")
    defaults = config.defaults
    lines.append(
        f"defaults: timezone {defaults.timezone}, language {defaults.language}, "
        f"check-in after {defaults.checkin_days} days at {defaults.reminder_hour}:00, "
        f"quiet hours {defaults.quiet_hours}"
    )
    lines.append(f"broadcast rate: {config.broadcast_rate_per_second:g} messages/s")
    db_lines, db_ok = await _check_database(config)
    return lines + db_lines, ok and db_ok


async def _check_database(config: Config) -> tuple[list[str], bool]:
    path = config.database_path
    if not path.exists():
        return [f"database: {path} does not exist yet; it is created on the first run"], True
    try:
        async with aiosqlite.connect(f"file:{path}?mode=ro", uri=True) as conn:
            version = await check_version(conn)
            async with conn.execute("PRAGMA quick_check") as cursor:
                integrity = [row[0] for row in await cursor.fetchall()]
    except DatabaseError as error:
        return [f"database: {path}: {error}"], False
    except aiosqlite.Error as error:
        return [f"database: {path}: cannot be read as SQLite ({error})"], False
    if integrity != ["ok"]:
        return [f"database: {path}: damaged ({'; '.join(integrity[:3])})"], False
    latest = len(MIGRATIONS)
    if version < latest:
        return [f"database: {path}, schema {version} of {latest}; upgraded automatically at start"], True
    db = await Database.open(path, migrate=False)
    try:
        async with db.conn().execute(
            "SELECT status, COUNT(*) FROM partnerships GROUP BY status ORDER BY status"
        ) as cursor:
            counts = {row[0]: row[1] for row in await cursor.fetchall()}
    finally:
        await db.close()
    total = sum(counts.values())
    by_status = ", ".join(f"{status} {count}" for status, count in counts.items()) or "none"
    return [f"database: {path}, schema {version} (current), {total} partnerships ({by_status})"], True
