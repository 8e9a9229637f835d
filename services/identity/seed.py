"""Seeding and operations functions for the dev launcher, demo data and operators.

    from services.identity.seed import seed_staff, seed_individual
    admin = await seed_staff(email="eo@ca.example", legal_name="Eve Officer", jurisdiction="CA",
                             roles=["executive_officer:CA", "registrar:CA"], password="...", totp_secret=None)
    admin.totp_secret  # base32; pyotp.TOTP(admin.totp_secret).now() gives the current code

Both connect with Settings().database_url (CAPREG_IDENTITY_DATABASE_URL) unless given settings,
are idempotent on the e-mail address (an existing person is returned, not changed) and write
their events to the outbox, which the running identity service relays (so the registry learns
about seeded individuals as about any other).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.identity.adapters.crypto import Totp, new_id
from services.identity.adapters.orm import infrastructure
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.keys import rotate_signing_key
from services.identity.application.registration import fingerprint
from services.identity.application.services import IdentityServices
from services.identity.application.staff import create_staff_member
from services.identity.config import Settings
from services.identity.domain.model import Kind, Status
from services.identity.domain.person import mask_id_number
from shared.clock import Clock, SystemClock
from shared.contracts.identity import IndividualApproved, IndividualRegistered
from shared.db.engine import make_engine, make_session_factory


@dataclass(frozen=True)
class SeededPerson:
    individual_id: str
    email: str
    password: str
    totp_secret: str | None
    roles: list[str]
    created: bool


@asynccontextmanager
async def _services(settings: Settings | None, clock: Clock | None) -> AsyncIterator[IdentityServices]:
    settings = settings or Settings()
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url, pool_size=2)
    factory = make_session_factory(engine)

    def uow_factory() -> IdentityUnitOfWork:
        return IdentityUnitOfWork(factory, infrastructure, producer=settings.service_name, clock=clock)

    svc = IdentityServices.from_settings(settings, clock, uow_factory)
    svc.keyring.session_factory = factory
    try:
        yield svc
    finally:
        await engine.dispose()


async def seed_staff(
    settings: Settings | None = None, *, email: str, legal_name: str, jurisdiction: str, roles: list[str],
    password: str, totp_secret: str | None = None, clock: Clock | None = None,
) -> SeededPerson:
    """An active staff member with the given roles (e.g. ["registrar:CA"]) and a usable credential."""
    secret = totp_secret or Totp.new_secret()
    async with _services(settings, clock) as svc, svc.uow_factory() as uow:
        existing = await uow.individuals.by_email(email.strip().lower())
        if existing is not None:
            return SeededPerson(existing.id, existing.email, password, totp_secret, await uow.roles.of(existing.id),
                                created=False)
        person = await create_staff_member(uow, svc, email=email, legal_name=legal_name, jurisdiction=jurisdiction,
                                           roles=roles, created_by="seed", password=password, totp_secret=secret)
        await uow.commit()
    return SeededPerson(person.id, person.email, password, secret, sorted(roles), created=True)


async def seed_individual(
    settings: Settings | None = None, *, email: str, legal_name: str, jurisdiction: str, password: str,
    date_of_birth: date, id_number: str, id_issuer: str, id_expires_on: date, id_type: str = "drivers_licence",
    totp_secret: str | None = None, clock: Clock | None = None, residence: dict[str, Any] | None = None,
) -> SeededPerson:
    """An active, KYC-approved individual (demo data: the KYC review is taken as done)."""
    secret = totp_secret or Totp.new_secret()
    async with _services(settings, clock) as svc, svc.uow_factory() as uow:
        email = email.strip().lower()
        existing = await uow.individuals.by_email(email)
        if existing is not None:
            return SeededPerson(existing.id, existing.email, password, totp_secret, ["individual"], created=False)
        now = svc.clock.now()
        individual_id = new_id("ind")
        fp = fingerprint(svc, legal_name, date_of_birth, id_number, id_issuer)
        await uow.individuals.add({
            "id": individual_id, "kind": Kind.INDIVIDUAL.value, "status": Status.ACTIVE.value,
            "jurisdiction": jurisdiction, "legal_name": legal_name, "email": email, "date_of_birth": date_of_birth,
            "residence": residence or {}, "id_type": id_type,
            "id_number_enc": svc.box.seal(id_number, f"id:{individual_id}"),
            "id_number_masked": mask_id_number(id_number), "id_issuer": id_issuer, "id_expires_on": id_expires_on,
            "person_key": fp.person_key, "document_key": fp.document_key, "registered_at": now,
            "documents_submitted_at": now, "decided_at": now, "decided_by": "seed", "activated_at": now,
        })
        await uow.credentials.add(individual_id, password_hash=svc.passwords.hash(password), password_changed_at=now,
                                  totp_secret_enc=svc.box.seal(secret, f"totp:{individual_id}"), totp_enrolled_at=now)
        await uow.publish(IndividualRegistered(individual_id=individual_id, legal_name=legal_name, email=email,
                                               jurisdiction=jurisdiction, registered_at=now))
        await uow.publish(IndividualApproved(individual_id=individual_id, legal_name=legal_name,
                                             jurisdiction=jurisdiction, approved_by="seed", approved_at=now,
                                             id_expires_on=id_expires_on))
        await uow.audit("individual.seeded", individual_id, {}, actor="seed")
        await uow.commit()
    return SeededPerson(individual_id, email, password, secret, ["individual"], created=True)


async def rotate_key(settings: Settings | None = None, *, lead_seconds: int | None = None) -> dict[str, Any]:
    """Operators: `python -m services.identity rotate-key [--lead-seconds N]`."""
    async with _services(settings, None) as svc:
        return await rotate_signing_key(svc, by="ops:cli", lead_seconds=lead_seconds)
