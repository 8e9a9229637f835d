"""Demo data for the dev stack, loaded through the services' own HTTP APIs (once per data dir)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import httpx


def _kyc(email: str) -> dict[str, object]:
    """The rest of a §95834 registration (identity's POST /v1/registrations); documents not included."""
    today = datetime.now(UTC).date()
    return {
        "phone": "+1 916 555 0100", "date_of_birth": "1980-01-01",
        "residence": {"line1": "1 Demo St", "city": "Sacramento", "region": "CA", "postal_code": "95814",
                      "country": "US"},
        "government_id": {"type": "passport", "number": "DEMO" + hashlib.sha256(email.encode()).hexdigest()[:8].upper(),
                          "issuer": "Demo Passport Office", "expires_on": str(today + timedelta(days=3650))},
        "bank_account": {"bank_name": "Demo Bank", "statement_date": str(today - timedelta(days=7))},
        "attestation": {"felony_conviction_within_last_5_years": False, "information_is_true": True},
        "password": "demo passphrase 2026",
    }


def load_demo(urls: dict[str, str]) -> str:
    lines = []
    with httpx.Client(timeout=10.0) as client:
        for name, email, jurisdiction in (
            ("Alice Representative", "alice@demo.capreg.org", "CA"),
            ("Bruno Représentant", "bruno@demo.capreg.org", "QC"),
        ):
            r = client.post(
                f"{urls['identity']}/v1/registrations",
                json={"legal_name": name, "email": email, "jurisdiction": jurisdiction, **_kyc(email)},
            )
            lines.append(f"  {email}: {r.status_code} {r.text[:120]}")
    return "\n".join(lines)
