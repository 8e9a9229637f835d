"""Demo data for the dev stack, loaded through the services' own HTTP APIs (once per data dir)."""

from __future__ import annotations

import httpx


def load_demo(urls: dict[str, str]) -> str:
    lines = []
    with httpx.Client(timeout=10.0) as client:
        for name, email, jurisdiction in (
            ("Alice Representative", "alice@demo.capreg.org", "CA"),
            ("Bruno Représentant", "bruno@demo.capreg.org", "QC"),
        ):
            r = client.post(
                f"{urls['identity']}/v1/registrations",
                json={"legal_name": name, "email": email, "jurisdiction": jurisdiction},
            )
            lines.append(f"  {email}: {r.status_code} {r.text[:120]}")
    return "\n".join(lines)
