"""OAuth clients: the first-party API and portal clients, and machine clients registered by staff.

Machine clients (a linked jurisdiction's feed, operations tooling) use the client-credentials
grant; their tokens carry sub "client:<client_id>", roles ["machine"] and the registered scopes.
"""

from __future__ import annotations

import re
from typing import Any

from services.identity.adapters.crypto import hash_token, new_token
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.revocation import revoke_client
from services.identity.application.services import IdentityServices
from services.identity.application.staff import require_executive_officer
from services.identity.domain.errors import Forbidden, InvalidInput, InvalidStatus, NotFound
from shared.auth.principal import Principal

API_CLIENT = "capreg-api"
PORTAL_CLIENT = "capreg-portal"
MFA_LOGIN = "urn:capreg:params:oauth:grant-type:mfa-login"
STEP_UP = "urn:capreg:params:oauth:grant-type:step-up"
INTROSPECT_SCOPE = "identity:introspect"
KEYS_SCOPE = "identity:keys"
_SCOPE = re.compile(r"^[a-z][a-z0-9_.:-]{1,62}$")
_CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,62}$")


async def ensure_first_party_clients(svc: IdentityServices) -> None:
    now = svc.clock.now()
    common = {"kind": "first_party", "secret_hash": None, "auth_method": "none", "scopes": ["capreg"],
              "jurisdiction": None, "created_by": "system", "created_at": now}
    async with svc.uow_factory() as uow:
        await uow.clients.upsert_first_party({
            **common, "client_id": API_CLIENT, "name": "capreg API (first party)", "redirect_uris": [],
            "grant_types": [MFA_LOGIN, "refresh_token", STEP_UP],
        })
        await uow.clients.upsert_first_party({
            **common, "client_id": PORTAL_CLIENT, "name": "capreg web portal (first party)",
            "redirect_uris": list(svc.settings.portal_redirect_uris),
            "grant_types": ["authorization_code", "refresh_token", STEP_UP],
        })
        await uow.commit()


async def register_machine_client(client_id: str, name: str, scopes: list[str], jurisdiction: str,
                                  principal: Principal, *, uow: IdentityUnitOfWork,
                                  svc: IdentityServices) -> dict[str, Any]:
    actor = require_executive_officer(principal, jurisdiction)
    if not _CLIENT_ID.match(client_id) or client_id.startswith("capreg-"):
        raise InvalidInput("client_id: 3-63 lowercase letters, digits and dashes, not starting with capreg-")
    bad = [s for s in scopes if not _SCOPE.match(s)]
    if bad:
        raise InvalidInput("invalid scope names", scopes=bad)
    secret = new_token()
    now = svc.clock.now()
    async with uow:
        if await uow.clients.get(client_id) is not None:
            raise InvalidStatus("this client id is taken")
        await uow.clients.add({"client_id": client_id, "name": name, "kind": "machine",
                               "secret_hash": hash_token(secret), "auth_method": "client_secret_basic",
                               "grant_types": ["client_credentials"], "scopes": sorted(set(scopes)),
                               "redirect_uris": [], "jurisdiction": jurisdiction, "created_by": actor,
                               "created_at": now})
        await uow.audit("client.registered", f"client:{client_id}", {"scopes": sorted(set(scopes)),
                                                                    "jurisdiction": jurisdiction})
        await uow.commit()
    return {"client_id": client_id, "client_secret": secret, "scopes": sorted(set(scopes)),
            "jurisdiction": jurisdiction, "token_endpoint_auth_method": "client_secret_basic"}


async def list_machine_clients(principal: Principal, *, uow: IdentityUnitOfWork) -> list[dict[str, Any]]:
    jurisdictions = principal.jurisdictions_for("executive_officer")
    if not jurisdictions:
        raise Forbidden("requires the executive_officer role")
    async with uow:
        rows = await uow.clients.list_machines()
    keep = ("client_id", "name", "scopes", "jurisdiction", "created_by", "created_at", "revoked_at")
    return [{k: r[k] for k in keep} for r in rows if r["jurisdiction"] in jurisdictions]


async def disable_machine_client(client_id: str, principal: Principal, *, uow: IdentityUnitOfWork,
                                 svc: IdentityServices) -> None:
    now = svc.clock.now()
    async with uow:
        row = await uow.clients.get(client_id, lock=True)
        if row is None or row["kind"] != "machine":
            raise NotFound("no such machine client")
        require_executive_officer(principal, row["jurisdiction"])
        await uow.clients.update(client_id, revoked_at=now)
        await revoke_client(uow, client_id, now=now, reason="client_disabled")
        await uow.audit("client.disabled", f"client:{client_id}", {})
        await uow.commit()
