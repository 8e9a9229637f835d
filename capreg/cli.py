"""The `capreg` command: run the dev stack, migrate, clear an auction, verify audit chains, reconcile the ledger."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from capreg.services import BY_NAME, SERVICES


def _db_revision(args: argparse.Namespace) -> int:
    """Autogenerate a migration for one service against a scratch embedded PostgreSQL."""
    from alembic import command

    from shared.db.migrate import alembic_config
    from shared.infra.embedded import EmbeddedPostgres, ensure_database

    spec = BY_NAME[args.service]
    pg = EmbeddedPostgres(Path(args.scratch).resolve())
    pg.start()
    database = f"{spec.database}_revision"
    asyncio.run(ensure_database(pg.url("postgres"), database, recreate=True))
    cfg = alembic_config(spec.migrations, pg.url(database))
    command.upgrade(cfg, "head")
    command.revision(cfg, message=args.message, autogenerate=True)
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from shared.db.migrate import upgrade

    for name in args.services or [s.name for s in SERVICES]:
        spec = BY_NAME[name]
        url = spec.settings_class()().database_url
        upgrade(spec.migrations, url)
        print(f"{name}: migrated")
    return 0


def _dev_up(args: argparse.Namespace) -> int:
    from capreg.devstack import DevStack

    return DevStack.from_args(args).run()


def _auction(args: argparse.Namespace) -> int:
    from services.auction.entrypoints.cli import main as auction_main

    return auction_main(args.rest)


def _audit_verify(args: argparse.Namespace) -> int:
    from capreg.tools import verify_audit

    return asyncio.run(verify_audit(args.services or [s.name for s in SERVICES]))


def _outbox_replay(args: argparse.Namespace) -> int:
    from capreg.outbox import replay_outbox

    return asyncio.run(replay_outbox(args.service, args.since))


def _dev_totp(args: argparse.Namespace) -> int:
    import pyotp

    print(pyotp.TOTP(args.secret).now())
    return 0


def _ledger_reconcile(args: argparse.Namespace) -> int:
    from capreg.reconcile import reconcile_ledger
    from services.registry.config import Settings

    return asyncio.run(reconcile_ledger(args.database_url or Settings().database_url))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="capreg", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="the local development stack").add_subparsers(dest="dev", required=True)
    up = dev.add_parser("up", help="start PostgreSQL, the broker and all five services with demo data")
    up.add_argument("--data-dir", default=".capreg", help="where the embedded database keeps its files")
    up.add_argument("--database-url", help="external PostgreSQL (maintenance DB URL) instead of embedded")
    up.add_argument("--kafka", help="external Kafka bootstrap servers instead of the embedded broker")
    up.add_argument("--broker-port", type=int, default=19092)
    up.add_argument("--port-offset", type=int, default=0, help="shift every service port (8101-8105) by N")
    up.add_argument("--no-demo", action="store_true", help="do not load demo data")
    up.add_argument("--exit-when-ready", action="store_true", help="stop again once everything is healthy")
    up.set_defaults(func=_dev_up)
    totp = dev.add_parser("totp", help="print the current one-time code of a (demo) TOTP secret")
    totp.add_argument("secret")
    totp.set_defaults(func=_dev_totp)

    db = sub.add_parser("db", help="database migrations").add_subparsers(dest="db", required=True)
    rev = db.add_parser("revision", help="autogenerate a migration for a service")
    rev.add_argument("service", choices=sorted(BY_NAME))
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--scratch", default=".capreg/scratch-pg")
    rev.set_defaults(func=_db_revision)
    upg = db.add_parser("upgrade", help="migrate services' databases (URLs from CAPREG_<SERVICE>_DATABASE_URL)")
    upg.add_argument("services", nargs="*")
    upg.set_defaults(func=_db_upgrade)

    auction = sub.add_parser("auction", help="auction tools, e.g. `capreg auction clear INPUT.json`")
    auction.add_argument("rest", nargs=argparse.REMAINDER)
    auction.set_defaults(func=_auction)

    audit = sub.add_parser("audit", help="audit trail tools").add_subparsers(dest="audit", required=True)
    verify = audit.add_parser("verify", help="verify every service's hash chain; report the first broken link")
    verify.add_argument("services", nargs="*")
    verify.set_defaults(func=_audit_verify)

    outbox = sub.add_parser("outbox", help="outbox tools").add_subparsers(dest="outbox", required=True)
    replay = outbox.add_parser("replay", help="queue a service's events again from its outbox")
    replay.add_argument("service", choices=sorted(BY_NAME))
    replay.add_argument("--since", required=True, help="ISO-8601 instant")
    replay.set_defaults(func=_outbox_replay)

    ledger = sub.add_parser("ledger", help="registry ledger tools").add_subparsers(dest="ledger", required=True)
    rec = ledger.add_parser(
        "reconcile", help="re-derive every balance from the journal of movements; exit 1 on any difference"
    )
    rec.add_argument("--database-url", help="registry database (default: CAPREG_REGISTRY_DATABASE_URL)")
    rec.set_defaults(func=_ledger_reconcile)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
