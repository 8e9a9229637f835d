"""Registration (§95830), review, representatives (§95832), associations (§95833), over HTTP and the bus."""

from __future__ import annotations

import pytest

from services.registry.domain.account_numbers import is_valid_account_number

pytestmark = pytest.mark.integration


async def test_approval_opens_one_set_of_accounts_with_check_digits_and_publishes_rights(registry):
    primary, alternate, viewer = await registry.individuals(3)
    body = registry.application(primary, [alternate], viewing_agents=[viewer])
    r = await registry.call("POST", "/v1/entities", subject=primary, json=body)
    assert r.status_code == 201, r.text
    entity_id = r.json()["id"]
    await registry.tap.wait("registry.EntityChanged", entity_id=entity_id, status="applied")

    queue = await registry.ok("GET", "/v1/entities", params={"status": "applied"}, **registry.staff())
    assert entity_id in [e["entity_id"] for e in queue["entities"]]

    approved = await registry.ok("POST", f"/v1/entities/{entity_id}/approve", json={}, **registry.staff())
    numbers = approved["accounts"]
    assert len(numbers) == 4  # covered entity: holding, compliance, limited use holding, annual allocation
    assert all(is_valid_account_number(n) for n in numbers)

    # account numbers restart in every test database and the broker is shared: match the entity too
    changed = await registry.tap.wait("registry.AccountChanged", account_number=numbers[0], entity_id=entity_id)
    assert changed["entity_id"] == entity_id and changed["owner_kind"] == "entity"
    assert {(r["individual_id"], r["role"]) for r in changed["representatives"]} == {
        (primary, "primary"), (alternate, "alternate"), (viewer, "viewing_agent")}
    await registry.tap.wait("registry.EntityChanged", entity_id=entity_id, status="approved")

    mine = await registry.ok("GET", "/v1/me/accounts", subject=alternate)
    assert {a["account_number"] for a in mine["accounts"]} == set(numbers)
    assert all(a["role"] == "alternate" and a["may_act"] for a in mine["accounts"])
    viewing = await registry.ok("GET", "/v1/me/accounts", subject=viewer)
    assert all(a["role"] == "viewing_agent" and not a["may_act"] for a in viewing["accounts"])

    # §95830: one set of accounts per entity
    again = await registry.call("POST", "/v1/entities", subject=primary, json=body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "entity_already_registered"


async def test_an_application_is_refused_unless_every_representative_passed_kyc(registry):
    primary, alternate = await registry.individuals(2)
    body = registry.application(primary, [alternate, "ind_never_heard_of"])
    r = await registry.call("POST", "/v1/entities", subject=primary, json=body)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "representative_not_eligible"
    assert r.json()["error"]["details"]["individuals"] == ["ind_never_heard_of"]


async def test_the_representative_set_needs_one_primary_and_one_to_four_alternates(registry):
    people = await registry.individuals(6)
    five_alternates = registry.application(people[0], people[1:6])
    r = await registry.call("POST", "/v1/entities", subject=people[0], json=five_alternates)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    duplicate = registry.application(people[0], [people[0]])
    r = await registry.call("POST", "/v1/entities", subject=people[0], json=duplicate)
    assert r.status_code == 422 and r.json()["error"]["code"] == "representative_set_invalid"


async def test_only_a_named_representative_may_apply_and_only_the_registrar_of_the_jurisdiction_approves(registry):
    primary, alternate, outsider = await registry.individuals(3)
    body = registry.application(primary, [alternate])
    r = await registry.call("POST", "/v1/entities", subject=outsider, json=body)
    assert r.status_code == 403
    entity_id = (await registry.ok("POST", "/v1/entities", subject=alternate, json=body))["id"]
    r = await registry.call("POST", f"/v1/entities/{entity_id}/approve", json={}, **registry.staff("registrar", "QC"))
    assert r.status_code == 403
    r = await registry.call("POST", f"/v1/entities/{entity_id}/approve", json={}, **registry.staff("market_monitor"))
    assert r.status_code == 403
    approved = await registry.call("POST", f"/v1/entities/{entity_id}/approve", json={}, subject="registrar-CA",
                                   roles=("registrar:CA",))
    assert approved.status_code == 200
    r = await registry.call("POST", f"/v1/entities/{entity_id}/deny", json={}, **registry.staff())
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_state"


async def test_approval_needs_a_fresh_second_factor(registry):
    primary, alternate = await registry.individuals(2)
    entity_id = (await registry.ok("POST", "/v1/entities", subject=primary,
                                   json=registry.application(primary, [alternate])))["id"]
    async with registry.client("registrar-CA", ("registrar:CA",), mfa=False) as c:
        r = await c.post(f"/v1/entities/{entity_id}/approve", json={})
    assert r.status_code == 401 and r.json()["error"]["code"] == "step_up_required"


async def test_representative_changes_are_requests_the_registrar_approves(registry):
    entity = await registry.entity()
    newcomer, other = await registry.individuals(2)
    body = {"primary": entity["primary"], "alternates": [newcomer], "viewing_agents": []}
    r = await registry.call("POST", f"/v1/entities/{entity['entity_id']}/representative-requests",
                            subject=other, json=body)
    assert r.status_code == 403  # not a representative of the entity
    request_id = (await registry.ok("POST", f"/v1/entities/{entity['entity_id']}/representative-requests",
                                    subject=entity["alternate"], json=body))["id"]
    mine = await registry.ok("GET", "/v1/me/accounts", subject=newcomer)
    assert mine["accounts"] == []  # nothing changes before the registrar approves

    approved = await registry.ok("POST", f"/v1/representative-requests/{request_id}/approve", json={},
                                 **registry.staff())
    assert set(approved["accounts"]) == set(entity["accounts"].values())
    mine = await registry.ok("GET", "/v1/me/accounts", subject=newcomer)
    assert {a["role"] for a in mine["accounts"]} == {"alternate"}
    gone = await registry.ok("GET", "/v1/me/accounts", subject=entity["alternate"])
    assert gone["accounts"] == []
    holding = entity["accounts"]["holding"]

    def published() -> list:
        return [p for p in registry.tap.find("registry.AccountChanged", account_number=holding)
                if {r["individual_id"] for r in p["representatives"]} == {entity["primary"], newcomer}]

    from shared.testing.server import eventually

    await eventually(published)


async def test_direct_associations_through_a_chain_share_a_declared_split(registry):
    parent = await registry.entity()
    child = await registry.entity(associations=[{
        "associate_entity_id": parent["entity_id"], "indicia": [{"kind": "shares", "percent": "60"}]}])
    grandchild = await registry.entity(associations=[{
        "associate_entity_id": child["entity_id"], "indicia": [{"kind": "voting_power", "percent": "75"}]}])
    minority = await registry.entity(associations=[{
        "associate_entity_id": parent["entity_id"], "indicia": [{"kind": "shares", "percent": "50"}]}])

    body = await registry.ok("GET", f"/v1/entities/{grandchild['entity_id']}", subject=grandchild["primary"])
    assert set(body["direct_associates"]) == {parent["entity_id"], child["entity_id"]}  # §95833: through a chain
    body = await registry.ok("GET", f"/v1/entities/{minority['entity_id']}", subject=minority["primary"])
    assert body["direct_associates"] == []  # 50 % is not more than 50 %

    shares = [{"entity_id": e["entity_id"], "holding_limit_share": s, "purchase_limit_share": s}
              for e, s in ((parent, "0.5"), (child, "0.3"), (grandchild, "0.2"))]
    r = await registry.call("PUT", f"/v1/entities/{parent['entity_id']}/association-split",
                            json={"shares": shares[:2]}, **registry.staff())
    assert r.status_code == 422 and r.json()["error"]["code"] == "association_split_invalid"
    await registry.ok("PUT", f"/v1/entities/{parent['entity_id']}/association-split", json={"shares": shares},
                      **registry.staff())
    changed = await registry.tap.wait("registry.EntityChanged", entity_id=child["entity_id"],
                                      holding_limit_share="0.30000000")
    assert set(changed["direct_associates"]) == {parent["entity_id"], grandchild["entity_id"]}


async def test_entity_details_are_visible_to_its_representatives_and_staff_only(registry):
    entity = await registry.entity()
    r = await registry.call("GET", f"/v1/entities/{entity['entity_id']}", subject="someone-else")
    assert r.status_code == 404
    r = await registry.call("GET", f"/v1/entities/{entity['entity_id']}", **registry.staff("registrar", "QC"))
    assert r.status_code == 404
    body = await registry.ok("GET", f"/v1/entities/{entity['entity_id']}", subject=entity["viewer"])
    assert body["status"] == "approved"
