"""Run a service's own Alembic migrations programmatically (launcher, tests, `capreg db upgrade`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


def run_env(context: object, metadata: MetaData) -> None:
    """The body of every service's migrations/env.py (async engine, online or --sql offline)."""
    from alembic import context as ctx

    url = ctx.config.get_main_option("sqlalchemy.url")
    if ctx.is_offline_mode():
        ctx.configure(url=url, target_metadata=metadata, literal_binds=True, compare_type=True)
        with ctx.begin_transaction():
            ctx.run_migrations()
        return

    def do_run(connection: Connection) -> None:
        ctx.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with ctx.begin_transaction():
            ctx.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(str(url), poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is None:
        asyncio.run(run_async())
    else:  # called from async code (tests): run in a private loop in a worker thread
        import threading

        error: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(run_async())
            except BaseException as exc:
                error.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if error:
            raise error[0]
