"""Demo data for the dev stack, loaded once per data directory after every service is healthy.

What it creates (idempotent: a second load finds everything and only reports it):

* identity: jurisdiction staff for California and Québec (one person per role, least privilege) and
  three KYC-approved account representatives, each with a password and an enrolled TOTP secret;
* registry: the jurisdiction accounts, two approved covered entities whose representatives are the
  three individuals, allowances and offsets in their holding accounts, and allowances in the
  auction holding account.

The individuals are written through identity's own seeding functions, which publish
IndividualRegistered/IndividualApproved through the outbox like any registration; the registry demo
goes through the registry's use cases, so its events leave through the registry's outbox too.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

DEMO_PASSWORD = "demo passphrase 2026"
DEMO_DOMAIN = "demo.capreg.org"

STAFF: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # (e-mail local part, legal name, jurisdiction, roles)
    ("registrar.ca", "Rita Registrar", "CA", ("registrar:CA", "accounts_administrator:CA")),
    ("eo.ca", "Evan Officer", "CA", ("executive_officer:CA",)),
    ("auctions.ca", "Ada Auctioneer", "CA", ("auction_administrator:CA",)),
    ("fsa.ca", "Frank Finance", "CA", ("financial_services_administrator:CA",)),
    ("monitor.ca", "Mona Monitor", "CA", ("market_monitor:CA",)),
    ("registraire.qc", "Rémi Registraire", "QC", ("registrar:QC", "accounts_administrator:QC")),
    ("eo.qc", "Élise Dirigeante", "QC", ("executive_officer:QC",)),
)

REPRESENTATIVES: tuple[tuple[str, str, date], ...] = (
    ("alice", "Alice Representative", date(1980, 1, 1)),
    ("bruno", "Bruno Representative", date(1975, 6, 15)),
    ("carol", "Carol Representative", date(1988, 11, 30)),
)


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


async def _load(urls: dict[str, str]) -> dict[str, Any]:
    from services.identity.config import Settings as IdentitySettings
    from services.identity.seed import seed_individual, seed_staff
    from services.registry.application.demo import load_demo_into

    identity = IdentitySettings(database_url=urls["identity"])
    people: list[dict[str, Any]] = []
    for local, name, jurisdiction, roles in STAFF:
        staff = await seed_staff(identity, email=_email(local), legal_name=name, jurisdiction=jurisdiction,
                                 roles=list(roles), password=DEMO_PASSWORD)
        people.append({"email": staff.email, "name": name, "roles": list(roles), "totp_secret": staff.totp_secret,
                       "individual_id": staff.individual_id})
    today = datetime.now(UTC).date()
    representatives: list[tuple[str, str]] = []
    for local, name, born in REPRESENTATIVES:
        person = await seed_individual(
            identity, email=_email(local), legal_name=name, jurisdiction="CA", password=DEMO_PASSWORD,
            date_of_birth=born, id_number="D" + hashlib.sha256(local.encode()).hexdigest()[:7].upper(),
            id_issuer="California DMV", id_expires_on=today + timedelta(days=5 * 365),
        )
        representatives.append((person.individual_id, name))
        people.append({"email": person.email, "name": name, "roles": ["individual"],
                       "totp_secret": person.totp_secret, "individual_id": person.individual_id})
    registry = await load_demo_into(urls["registry"], representatives=representatives)
    return {"people": people, "registry": registry}


def _render(loaded: dict[str, Any], identity_url: str) -> str:
    lines = [f"  every demo person's password: {DEMO_PASSWORD!r}", ""]
    for person in loaded["people"]:
        secret = person["totp_secret"] or "(set at first load; see the first run's output)"
        lines.append(f"  {person['email']:<34} {', '.join(person['roles']):<48} TOTP secret {secret}")
    registry = loaded["registry"]
    lines += ["", f"  entities (jurisdiction {registry['jurisdiction']}, vintage {registry['vintage']}):"]
    for entity in registry["entities"]:
        accounts = ", ".join(f"{kind} {number}" for kind, number in sorted(entity["accounts"].items()))
        lines.append(f"    {entity['legal_name']} ({entity['entity_id']}): {accounts}")
    lines += [
        "",
        "  a current one-time code:  capreg dev totp SECRET",
        "  sign in (API client):     curl -s " + identity_url + "/oauth/token -d client_id=capreg-api \\",
        "      -d grant_type=urn:capreg:params:oauth:grant-type:mfa-login \\",
        f"      -d username=alice@{DEMO_DOMAIN} -d 'password={DEMO_PASSWORD}' -d totp=$(capreg dev totp SECRET)",
    ]
    return "\n".join(lines)


def load_demo(urls: dict[str, str], database_urls: dict[str, str]) -> str:
    """Load the demo into the running stack; returns the summary the launcher prints and keeps."""
    loaded = asyncio.run(_load(database_urls))
    return _render(loaded, urls["identity"])
