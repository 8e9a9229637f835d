"""§95912(c): who publishes the notice, when, with what; linked quantities until 30 days before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.integration


async def test_only_the_auction_administrator_publishes_a_complete_notice_60_days_ahead(world):
    w = world
    body = w.notice_body()
    for token in (w.monitor(), w.eo("CA"), w.token("someone")):
        assert (await w.call("POST", "/v1/auctions", token, body)).status_code == 403
    r = await w.call("POST", "/v1/auctions", w.admin("QC"), w.notice_body(jurisdictions=("CA",)))
    assert (r.status_code, w.code(r)) == (403, "forbidden")  # another jurisdiction's administrator
    assert (await w.call("POST", "/v1/auctions", None, body)).status_code == 401

    late = w.notice_body(opens=w.start + timedelta(days=59), closes=w.start + timedelta(days=59, hours=3))
    r = await w.call("POST", "/v1/auctions", w.admin(), late)
    assert (r.status_code, w.code(r)) == (422, "notice_too_late")  # §95912(c)
    assert r.json()["error"]["details"]["latest_publication"] == "2027-01-03"

    incomplete = w.notice_body(procedures=" ", annual_allowances=None)
    r = await w.call("POST", "/v1/auctions", w.admin(), incomplete)
    assert (r.status_code, w.code(r)) == (422, "notice_incomplete")
    assert r.json()["error"]["details"]["missing"] == ["procedures", "annual_allowances.CA",
                                                       "annual_allowances.QC"]  # (c)(4), (c)(7)
    second_quarter = w.notice_body(annual_allowances=None, opens=datetime(2027, 5, 19, 17, tzinfo=UTC),
                                   closes=datetime(2027, 5, 19, 20, tzinfo=UTC))
    assert (await w.call("POST", "/v1/auctions", w.admin(), second_quarter)).status_code == 201

    for jurisdictions, code in ((["QC"], "unsupported_jurisdictions"), (["CA", "NS"], "unsupported_jurisdictions")):
        r = await w.call("POST", "/v1/auctions", w.admin(), {**body, "jurisdictions": jurisdictions})
        assert w.code(r) in (code, "forbidden"), r.text
    reversed_window = w.notice_body(opens=w.closes, closes=w.opens)
    assert w.code(await w.call("POST", "/v1/auctions", w.admin(), reversed_window)) == "invalid_bidding_window"
    not_announced = w.notice_body(opens=datetime(2029, 3, 7, 18, tzinfo=UTC),
                                  closes=datetime(2029, 3, 7, 21, tzinfo=UTC))
    r = await w.call("POST", "/v1/auctions", w.admin(), not_announced)
    assert (r.status_code, w.code(r)) == (409, "reserve_price_not_announced")  # §95911(c)
    malformed = {**body, "offers": {"current": {"CA": {"state_owned": 1.5}}}}
    r = await w.call("POST", "/v1/auctions", w.admin(), malformed)
    assert (r.status_code, w.code(r)) == (422, "invalid_input")
    nothing = w.notice_body(offers={"current": {"CA": {"state_owned": 0}}})
    assert w.code(await w.call("POST", "/v1/auctions", w.admin(), nothing)) == "notice_incomplete"  # (c)(6)

    listed = (await w.call("GET", "/v1/auctions", None, expect=200)).json()
    assert len(listed) == 1 and listed[0]["auction_date"] == "2027-05-19"


async def test_a_reserve_price_is_usable_once_announced_on_the_first_business_day_of_december(world):
    w = world
    w.move_to(datetime(2026, 11, 30, 17, tzinfo=UTC))  # Monday 30 November 2026
    r = await w.call("POST", "/v1/auctions", w.admin(), w.notice_body())
    assert w.code(r) == "reserve_price_not_announced"
    assert r.json()["error"]["details"]["announced_on"] == "2026-12-01"
    w.move_to(datetime(2026, 12, 1, 17, tzinfo=UTC))
    assert (await w.call("POST", "/v1/auctions", w.admin(), w.notice_body())).status_code == 201


async def test_linked_quantities_change_until_30_days_before_the_auction(world):
    w = world
    joint = await w.publish_auction()
    alone = await w.publish_auction(jurisdictions=("CA",))
    path = f"/v1/auctions/{joint}/offers/current/QC"
    assert (await w.call("PUT", path, w.eo("QC"), {"state_owned": 35_000})).status_code == 403
    changed = (await w.call("PUT", path, w.admin("QC"), {"state_owned": 35_000}, expect=200)).json()
    assert changed["allowances_available"]["current"]["by_jurisdiction"]["QC"]["total"] == 35_000
    assert changed["allowances_available"]["current"]["total"] == 105_000
    r = await w.call("PUT", f"/v1/auctions/{alone}/offers/current/CA", w.admin(), {"state_owned": 1_000})
    assert (r.status_code, w.code(r)) == (409, "not_a_joint_auction")
    w.move_to(datetime(2027, 2, 8, 23, tzinfo=UTC))  # 15:00 on 8 February in Sacramento: the last day
    await w.call("PUT", path, w.admin(), {"state_owned": 36_000}, expect=200)
    w.move_to(datetime(2027, 2, 9, 17, tzinfo=UTC))
    r = await w.call("PUT", path, w.admin(), {"state_owned": 37_000})
    assert (r.status_code, w.code(r)) == (409, "notice_change_deadline_passed")  # §95912(c)(8)
    r = await w.call("PUT", f"/v1/auctions/{joint}/exchange-rate", w.token("someone"), {"cad_per_usd": "1.35"})
    assert r.status_code == 403
    r = await w.call("PUT", f"/v1/auctions/{joint}/exchange-rate", w.admin(), {"cad_per_usd": 1.35})
    assert (r.status_code, w.code(r)) == (422, "invalid_input")  # a float is refused
    for rate in ("0", "1.1234567", "NaN", "99999999"):
        r = await w.call("PUT", f"/v1/auctions/{joint}/exchange-rate", w.admin(), {"cad_per_usd": rate})
        assert (r.status_code, w.code(r)) in ((422, "invalid_exchange_rate"), (422, "invalid_input")), r.text
    assert (await w.call("GET", "/v1/auctions/auc_missing", None)).status_code == 404
