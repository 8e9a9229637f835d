"""§95912(d)-(e): who may apply, be approved and bid; deadlines; late material changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.integration


async def test_applications_need_a_registered_eligible_entity_and_meet_the_30_day_deadline(world):
    w = world
    auction_id = await w.publish_auction()
    alone = await w.publish_auction(jurisdictions=("CA",))
    apps = f"/v1/auctions/{auction_id}/applications"
    ca = await w.entity(representatives={w.uid("pat"): "primary", w.uid("vera"): "viewing_agent"})
    suspended = await w.entity(representatives={w.uid("sue"): "primary"}, status="suspended")
    revoked_account = await w.entity(representatives={w.uid("rob"): "primary"}, holding_status="revoked")
    pending = await w.entity(representatives={w.uid("pia"): "primary"}, status="applied")
    qc = await w.entity(jurisdiction="QC", representatives={w.uid("quinn"): "primary"})
    for entity in (ca, suspended, revoked_account, pending, qc):
        await w.known(entity)
    pat, vera = list(ca.representatives)

    def rep(entity):
        return w.token(next(iter(entity.representatives)))

    r = await w.call("POST", apps, w.token(vera), w.application_body(ca))
    assert (r.status_code, w.code(r)) == (403, "not_a_representative")  # a viewing agent never acts
    r = await w.call("POST", apps, rep(qc), w.application_body(ca))
    assert (r.status_code, w.code(r)) == (403, "not_a_representative")
    assert w.code(await w.call("POST", apps, rep(suspended), w.application_body(suspended))) == "entity_ineligible"
    r = await w.call("POST", apps, rep(revoked_account), w.application_body(revoked_account))
    assert w.code(r) == "entity_ineligible"  # §95912(d)(3): the holding account is revoked
    assert w.code(await w.call("POST", apps, rep(pending), w.application_body(pending))) == "entity_not_registered"
    r = await w.call("POST", apps, w.token(pat), w.application_body(ca, currency="CAD"))
    assert w.code(r) == "currency_not_allowed"  # §95912(h)(2)
    r = await w.call("POST", f"/v1/auctions/{alone}/applications", rep(qc), w.application_body(qc))
    assert w.code(r) == "jurisdiction_not_in_auction"
    bad = w.application_body(ca)
    bad["eligibility"]["purchase_limit_share"] = "0.5"  # an allocation needs an association (§95912(d)(4)(B))
    assert w.code(await w.call("POST", apps, w.token(pat), bad)) == "invalid_eligibility_information"
    bad["eligibility"].update(purchase_limit_share="1", investigation_attestation={"has_investigations": True})
    assert w.code(await w.call("POST", apps, w.token(pat), bad)) == "invalid_eligibility_information"

    await w.call("POST", apps, w.token(pat), w.application_body(ca, intends_to_bid=False), expect=201)
    assert w.code(await w.call("POST", apps, w.token(pat), w.application_body(ca))) == "application_exists"
    base = f"{apps}/{ca.entity_id}"
    r = await w.call("POST", base + "/participation", w.eo("CA"), {"decision": "approve"})
    assert (r.status_code, w.code(r)) == (409, "not_eligible")  # §95912(e): eligibility first
    r = await w.call("POST", base + "/eligibility", w.eo("QC"), {"decision": "approve"})
    assert r.status_code == 403  # the executive officer of the entity's jurisdiction decides
    await w.call("POST", base + "/eligibility", w.eo("CA"), {"decision": "approve"}, expect=200)
    r = await w.call("POST", base + "/participation", w.eo("CA"), {"decision": "approve"})
    assert w.code(r) == "no_intent_to_bid"
    viewed = (await w.call("GET", base, w.token(vera), expect=200)).json()  # viewing agents see
    assert viewed["status"] == "eligible"

    w.move_to(datetime(2027, 2, 9, 17, tzinfo=UTC))  # 29 days before the auction
    r = await w.call("PATCH", base, w.token(pat), {"intends_to_bid": True})
    assert w.code(r) == "no_intent_to_bid"  # §95912(e): intent to bid was due 30 days before
    late = await w.entity(representatives={w.uid("lou"): "primary"})
    await w.known(late)
    r = await w.call("POST", apps, rep(late), w.application_body(late))
    assert (r.status_code, w.code(r)) == (409, "application_deadline_passed")  # §95912(d)(4)


async def test_only_kyc_approved_representatives_with_fsa_information_of_eligible_entities_bid(world):
    w = world
    auction_id = await w.publish_auction(jurisdictions=("CA",))
    base = f"/v1/auctions/{auction_id}"
    ca = await w.entity(representatives={w.uid("ann"): "primary", w.uid("sam"): "alternate"})
    sister = await w.entity(representatives={w.uid("sam2"): "primary"})
    ann, sam = list(ca.representatives)
    # sam also represents an entity that will be suspended (§95912(d)(3))
    tainted = await w.entity(representatives={sam: "primary"})
    newcomer = w.uid("nia")  # named a representative, but identity never approved her (KYC)
    ca.representatives[newcomer] = "alternate"
    await w.account(ca)
    await w.known(tainted)
    await w.known(ca, kyc=False)
    await w.known(sister)
    for individual in (ann, sam, newcomer):
        await w.fsa_information(individual)
    await w.approved_bidder(auction_id, ca, ann)
    await w.approved_bidder(auction_id, sister, next(iter(sister.representatives)))
    await w.guarantee(auction_id, ca, "1000000.00")
    await w.wait_guarantee(auction_id, ca, "1000000.00")
    await w.set_entity_status(tainted, "suspended")
    await w.known(tainted, status="suspended")

    w.move_to(w.opens + timedelta(minutes=5))
    r = await w.bid(auction_id, newcomer, ca, "current", "30.00", 1_000)
    assert (r.status_code, w.code(r)) == (403, "representative_kyc_incomplete")  # §95912(d)(6)(A)
    r = await w.bid(auction_id, sam, ca, "current", "30.00", 1_000)
    assert (r.status_code, w.code(r)) == (403, "representative_ineligible")  # §95912(d)(3)
    r = await w.bid(auction_id, next(iter(sister.representatives)), sister, "current", "30.00", 1_000)
    assert w.code(r) == "representative_fsa_information_missing"  # §95912(d)(6)(B)
    r = await w.bid(auction_id, ann, sister, "current", "30.00", 1_000)
    assert w.code(r) == "not_a_representative"
    assert (await w.bid(auction_id, ann, ca, "current", "30.00", 1_000)).status_code == 201

    # §95912(d)(3): suspended after approval: no more bids, and left out of the clearing
    await w.set_entity_status(ca, "suspended")
    await w.known(ca, status="suspended", kyc=False)
    r = await w.bid(auction_id, ann, ca, "current", "30.00", 1_000)
    assert w.code(r) in ("entity_ineligible", "representative_ineligible")
    w.move_to(w.closes)
    cleared = (await w.call("POST", f"{base}/clearing", w.admin(), expect=201)).json()
    assert cleared["input"]["bidders"] == [] or ca.entity_id not in {b["id"] for b in cleared["input"]["bidders"]}
    assert cleared["result"]["current"]["total_sold"] == 0


async def test_a_material_change_within_30_days_can_be_refused_by_the_executive_officer(world):
    w = world
    auction_id = await w.publish_auction(jurisdictions=("CA",))
    ca = await w.entity(representatives={w.uid("max"): "primary"})
    rep = next(iter(ca.representatives))
    await w.known(ca)
    await w.fsa_information(rep)
    await w.approved_bidder(auction_id, ca, rep)
    await w.guarantee(auction_id, ca, "100000.00")
    await w.wait_guarantee(auction_id, ca, "100000.00")
    base = f"/v1/auctions/{auction_id}/applications/{ca.entity_id}"

    w.move_to(datetime(2027, 2, 20, 17, tzinfo=UTC))  # within 30 days: §95912(d)(5)
    changed = w.application_body(ca)["eligibility"]
    changed["corporate_associations"] = [{"entity_id": w.uid("parent"), "kind": "direct"}]
    changed["purchase_limit_share"] = "0.6"
    changed["holding_limit_share"] = "0.6"
    body = (await w.call("PATCH", base, w.token(rep), {"eligibility": changed}, expect=200)).json()
    assert body["review_pending"] is True and body["late_change_at"] is not None
    listed = (await w.call("GET", f"/v1/auctions/{auction_id}/applications", w.eo("CA"), expect=200)).json()
    assert [a["review_pending"] for a in listed] == [True]

    w.move_to(w.opens + timedelta(minutes=1))
    r = await w.bid(auction_id, rep, ca, "current", "30.00", 1_000)
    assert (r.status_code, w.code(r)) == (409, "eligibility_change_under_review")
    w.move_to(w.opens - timedelta(hours=2))
    denied = (await w.call("POST", base + "/eligibility", w.eo("CA"),
                           {"decision": "deny", "reason": "material change within 30 days (§95912(d)(5))"},
                           expect=200)).json()
    assert denied["status"] == "denied"
    w.move_to(w.opens + timedelta(minutes=2))
    r = await w.bid(auction_id, rep, ca, "current", "30.00", 1_000)
    assert (r.status_code, w.code(r)) == (403, "bidder_not_approved")
    r = await w.call("POST", base + "/eligibility", w.eo("CA"), {"decision": "approve"})
    assert w.code(r) in ("decision_deadline_passed", "application_closed")
