"""`python -m services.identity`: serve the identity API (with its relay and consumers) with uvicorn.

Operations:
    python -m services.identity rotate-key [--lead-seconds N]
    python -m services.identity seed-staff --email E --name N --jurisdiction CA --role registrar:CA \
        --password P [--totp-secret BASE32]
"""

import argparse
import asyncio
import json
import sys

import uvicorn

from services.identity.config import Settings
from services.identity.entrypoints.http.app import create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.identity")
    sub = parser.add_subparsers(dest="command")
    rotate = sub.add_parser("rotate-key", help="publish a new signing key (signs after the lead time)")
    rotate.add_argument("--lead-seconds", type=int, default=None)
    seed = sub.add_parser("seed-staff", help="create an active staff member with a credential")
    seed.add_argument("--email", required=True)
    seed.add_argument("--name", required=True)
    seed.add_argument("--jurisdiction", required=True, choices=["CA", "QC", "NS"])
    seed.add_argument("--role", action="append", required=True, help="e.g. registrar:CA (repeatable)")
    seed.add_argument("--password", required=True)
    seed.add_argument("--totp-secret", default=None)
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "rotate-key":
        from services.identity.seed import rotate_key

        print(json.dumps(asyncio.run(rotate_key(settings, lead_seconds=args.lead_seconds)), default=str, indent=2))
        return 0
    if args.command == "seed-staff":
        from services.identity.seed import seed_staff

        person = asyncio.run(seed_staff(settings, email=args.email, legal_name=args.name,
                                        jurisdiction=args.jurisdiction, roles=args.role, password=args.password,
                                        totp_secret=args.totp_secret))
        print(json.dumps({"individual_id": person.individual_id, "totp_secret": person.totp_secret,
                          "created": person.created}))
        return 0
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
