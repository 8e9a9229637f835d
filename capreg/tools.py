"""`capreg audit verify [SERVICE...]`: check every service's hash-chained audit trail.

Each service's database is reached through its own settings (CAPREG_<SERVICE>_DATABASE_URL);
one line per service says how many records were checked and, if the chain is broken, the
sequence number of the first broken link and why. Exit status 0 when every chain is intact.
"""

from __future__ import annotations

from capreg.services import BY_NAME
from shared.audit import ChainReport, verify_chain
from shared.db.engine import make_engine, make_session_factory, new_metadata
from shared.db.tables import add_infrastructure_tables


async def verify_service(service: str) -> ChainReport:
    settings = BY_NAME[service].settings_class()()
    audit_log = add_infrastructure_tables(new_metadata()).audit_log
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with make_session_factory(engine)() as session:
            return await verify_chain(session, audit_log)
    finally:
        await engine.dispose()


async def verify_audit(services: list[str]) -> int:
    failures = 0
    for service in services:
        if service not in BY_NAME:
            print(f"{service}: unknown service (known: {', '.join(sorted(BY_NAME))})")
            failures += 1
            continue
        try:
            report = await verify_service(service)
        except Exception as exc:
            print(f"{service}: cannot verify: {type(exc).__name__}: {exc}")
            failures += 1
            continue
        if report.intact:
            print(f"{service}: intact ({report.records} records)")
        else:
            print(f"{service}: BROKEN at seq {report.first_broken_seq}: {report.reason} "
                  f"({report.records} records read)")
            failures += 1
    return 1 if failures else 0
