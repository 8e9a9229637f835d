"""The operations dashboard (`/ops`, `/ops/dashboard`): what staff need to watch, in server-side charts.

Each panel is fetched from a service with the signed-in person's own token; the service decides
(docs/operations.md): a 401/403 hides the panel, any other failure shows it with the error. The portal
grants nothing itself and imports no service: HTTP only.

| panel | source | who (the service's rule) |
|---|---|---|
| transfers by state and age, deadlines in 24 h | transfers `GET /v1/ops/statistics` | EO, accounts
  administrator, registrar, market monitor — of their jurisdictions |
| bus health | every service's `GET /ops/bus` | staff and machine clients |
| reconciliation | registry `GET /v1/ops/reconciliation` | EO, accounts administrator, market monitor |
| auction results over time | auction `GET /v1/results` | public (certified results only) |

The portal helper mounts `router` at prefix `/ops`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from services.portal import i18n
from services.portal.api import SERVICES, Api, ApiError
from services.portal.charts import Series, Texts, bar_chart, line_chart, stacked_bar_chart
from services.portal.session import User, current_user, get_api, locale_of
from services.portal.templating import render

router = APIRouter(tags=["operations"])

HIDDEN = (401, 403)  # the service says this person may not see it
AGE_BUCKETS = ("lt_1d", "1_2d", "2_3d", "gt_3d")
OPEN_STATES = ("reserving", "proposed", "awaiting_acceptance", "deficient", "awaiting_approval", "recording",
               "reversing")
DEADLINE_KINDS = ("confirmation", "acceptance", "deficiency_correction", "documentation", "clearing_exit",
                  "clearing_failure_notice")

# key: (English, French); merged into the portal's catalogs below (i18n.py belongs to the portal itself)
_MESSAGES: dict[str, tuple[str, str]] = {
    "ops.title": ("Operations dashboard", "Tableau de bord de l'exploitation"),
    "ops.intro": ("Figures as of {now}. Panels you are not entitled to see are not shown.",
                  "Données au {now}. Les panneaux que vous n'êtes pas autorisé à voir ne sont pas affichés."),
    "ops.nothing": ("None of the dashboard's panels is available to your roles.",
                    "Aucun panneau du tableau de bord n'est accessible à vos rôles."),
    "ops.unavailable": ("Unavailable: {error}", "Indisponible : {error}"),
    "ops.data_table": ("Data table", "Tableau des données"),
    "ops.no_data": ("No data.", "Aucune donnée."),
    "ops.transfers": ("Transfer requests", "Demandes de transfert"),
    "ops.transfers.by_age": ("Open requests by state and age", "Demandes en cours par état et par âge"),
    "ops.transfers.by_age_desc": ("Open transfer requests of {jurisdictions}, per state, stacked by time since "
                                  "submission.",
                                  "Demandes de transfert en cours de {jurisdictions}, par état, empilées selon "
                                  "le temps écoulé depuis la soumission."),
    "ops.state": ("State", "État"),
    "ops.age.lt_1d": ("< 1 day", "< 1 jour"),
    "ops.age.1_2d": ("1–2 days", "1 à 2 jours"),
    "ops.age.2_3d": ("2–3 days", "2 à 3 jours"),
    "ops.age.gt_3d": ("> 3 days", "> 3 jours"),
    "ops.deadlines": ("Deadlines in the next 24 hours", "Échéances dans les prochaines 24 heures"),
    "ops.deadlines_desc": ("Number of deadlines of each kind falling due before {until}.",
                           "Nombre d'échéances de chaque type avant {until}."),
    "ops.deadline_kind": ("Deadline", "Échéance"),
    "ops.due": ("Due", "Échéance"),
    "ops.transfer": ("Transfer", "Transfert"),
    "ops.count": ("Count", "Nombre"),
    "ops.deadline.confirmation": ("Confirmation (§95921(a)(1)(B))", "Confirmation (§95921(a)(1)(B))"),
    "ops.deadline.acceptance": ("Acceptance (§95921(a)(1)(C))", "Acceptation (§95921(a)(1)(C))"),
    "ops.deadline.deficiency_correction": ("Deficiency correction (§95921(i))", "Correction d'une lacune (§95921(i))"),
    "ops.deadline.documentation": ("Documentation (§95921(c))", "Documentation (§95921(c))"),
    "ops.deadline.clearing_exit": ("Clearing account exit (§95921(d)(2))",
                                   "Sortie du compte de compensation (§95921(d)(2))"),
    "ops.deadline.clearing_failure_notice": ("Clearing failure notice (§95921(d)(4))",
                                             "Avis d'échec de compensation (§95921(d)(4))"),
    "ops.bus": ("Event bus health", "État du bus d'événements"),
    "ops.service": ("Service", "Service"),
    "ops.bus.outbox": ("Outbox backlog", "Arriéré de la boîte d'envoi"),
    "ops.bus.outbox_desc": ("Events committed but not yet published, per service.",
                            "Événements enregistrés mais pas encore publiés, par service."),
    "ops.bus.lag": ("Consumer lag", "Retard des consommateurs"),
    "ops.bus.lag_desc": ("Records on the bus not yet applied by each service's consumers.",
                         "Messages du bus pas encore appliqués par les consommateurs de chaque service."),
    "ops.bus.dead": ("Dead letters", "Lettres mortes"),
    "ops.bus.dead_desc": ("Events each service sent to a dead-letter topic since it started.",
                          "Événements envoyés à un sujet de lettres mortes par chaque service depuis son démarrage."),
    "ops.bus.oldest": ("Oldest pending (s)", "Plus ancien en attente (s)"),
    "ops.bus.unconfirmed": ("Published, unconfirmed", "Publiés, non confirmés"),
    "ops.reconciliation": ("Ledger reconciliation", "Rapprochement du registre"),
    "ops.reconciliation.ok": ("Consistent: every balance re-derived from the journal matches the serial blocks.",
                              "Cohérent : chaque solde recalculé à partir du journal correspond aux blocs de "
                              "numéros de série."),
    "ops.reconciliation.bad": ("Inconsistent: {count} problem(s) found.", "Incohérent : {count} problème(s)."),
    "ops.reconciliation.figure": ("Figure", "Donnée"),
    "ops.reconciliation.value": ("Value", "Valeur"),
    "ops.auctions": ("Auction results", "Résultats des enchères"),
    "ops.auctions.prices": ("Settlement prices (USD)", "Prix de règlement (USD)"),
    "ops.auctions.prices_desc": ("Settlement price of the Current and Advance auctions, per certified auction.",
                                 "Prix de règlement des ventes courante et anticipée, par enchère certifiée."),
    "ops.auctions.current": ("Current auction", "Vente courante"),
    "ops.auctions.advance": ("Advance auction", "Vente anticipée"),
    "ops.auctions.sold": ("Current auction: allowances sold and unsold",
                          "Vente courante : quotas vendus et invendus"),
    "ops.auctions.sold_desc": ("Allowances offered in the Current auction, split into sold and unsold.",
                               "Quotas offerts à la vente courante, répartis entre vendus et invendus."),
    "ops.auctions.sold_series": ("Sold", "Vendus"),
    "ops.auctions.unsold_series": ("Unsold", "Invendus"),
    "ops.auctions.empty": ("No certified auction yet.", "Aucune enchère certifiée pour l'instant."),
    "ops.auction": ("Auction", "Enchère"),
}
i18n.register(_MESSAGES)


@dataclass
class Panel:
    key: str
    title: str
    charts: list[Markup] = field(default_factory=list)
    error: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _svg(fragment: str) -> Markup:
    """A chart from services/portal/charts.py, which escapes every text it is given."""
    return Markup(fragment)  # noqa: S704 - built from escaped text only (tests/portal/unit/test_charts.py)


class Hidden(Exception):
    """The service refused this person: the panel is not shown."""


async def _fetch(api: Api, service: str, path: str) -> Any:
    try:
        return await api.get(service, path)
    except ApiError as error:
        if error.status in HIDDEN:
            raise Hidden() from error
        raise


def _texts(locale: str, title: str, description: str, category: str, **values: Any) -> Texts:
    tr = lambda key, **v: i18n.translate(key, locale, **v)  # noqa: E731
    return Texts(tr(title), tr(description, **values), category=tr(category), empty=tr("ops.no_data"),
                 table_summary=tr("ops.data_table"))


def transfers_panel(stats: dict[str, Any], locale: str) -> Panel:
    tr = lambda key, **v: i18n.translate(key, locale, **v)  # noqa: E731
    by_state = stats.get("by_state_and_age") or {}
    states = [s for s in OPEN_STATES if s in by_state]
    series = [Series(tr(f"ops.age.{b}"), [by_state[s].get(b, 0) for s in states]) for b in AGE_BUCKETS]
    jurisdictions = ", ".join(stats.get("jurisdictions") or [])
    deadlines = stats.get("deadlines_next_24h") or {}
    counts = deadlines.get("counts") or {}
    kinds = [k for k in DEADLINE_KINDS if k in counts]
    charts = [
        _svg(stacked_bar_chart("ops-transfers-age", _texts(locale, "ops.transfers.by_age",
                                                              "ops.transfers.by_age_desc", "ops.state",
                                                              jurisdictions=jurisdictions), states, series)),
        _svg(bar_chart("ops-deadlines", _texts(locale, "ops.deadlines", "ops.deadlines_desc", "ops.deadline_kind",
                                                 until=deadlines.get("until", "")),
                         [tr(f"ops.deadline.{k}") for k in kinds], [counts[k] for k in kinds],
                         value_name=tr("ops.count"))),
    ]
    upcoming = [{**d, "label": tr(f"ops.deadline.{d.get('kind')}")} for d in deadlines.get("upcoming") or []]
    return Panel("transfers", tr("ops.transfers"), charts, data={"upcoming": upcoming,
                                                                  "jurisdictions": jurisdictions})


def bus_panel(health: dict[str, dict[str, Any] | str], locale: str) -> Panel:
    """`health`: service -> its /ops/bus body, or the error text when it could not be read."""
    tr = lambda key, **v: i18n.translate(key, locale, **v)  # noqa: E731
    rows: list[dict[str, Any]] = []
    for service, body in health.items():
        if isinstance(body, str):
            rows.append({"service": service, "error": body})
            continue
        outbox = body.get("outbox") or {}
        consumers = body.get("consumers") or []
        rows.append({
            "service": service, "error": None, "pending": outbox.get("pending", 0),
            "oldest": outbox.get("oldest_pending_age_seconds", 0.0),
            "unconfirmed": outbox.get("published_unconfirmed", 0),
            "lag": body.get("consumer_lag_total", sum(c.get("lag_total", 0) for c in consumers)),
            "dead": body.get("dead_lettered_since_start", sum(c.get("dead_lettered", 0) for c in consumers)),
        })
    ok = [r for r in rows if r["error"] is None]
    names = [r["service"] for r in ok]
    charts = [
        _svg(bar_chart("ops-bus-outbox", _texts(locale, "ops.bus.outbox", "ops.bus.outbox_desc", "ops.service"),
                         names, [r["pending"] for r in ok], value_name=tr("ops.bus.outbox"))),
        _svg(bar_chart("ops-bus-lag", _texts(locale, "ops.bus.lag", "ops.bus.lag_desc", "ops.service"),
                         names, [r["lag"] for r in ok], value_name=tr("ops.bus.lag"))),
        _svg(bar_chart("ops-bus-dead", _texts(locale, "ops.bus.dead", "ops.bus.dead_desc", "ops.service"),
                         names, [r["dead"] for r in ok], value_name=tr("ops.bus.dead"))),
    ]
    return Panel("bus", tr("ops.bus"), charts, data={"rows": rows})


def reconciliation_panel(report: dict[str, Any], locale: str) -> Panel:
    tr = lambda key, **v: i18n.translate(key, locale, **v)  # noqa: E731
    problems = report.get("problems") or []
    figures = [(k, report.get(k)) for k in ("journal_entries", "movements", "blocks", "accounts", "created", "held")
               if k in report]
    status = tr("ops.reconciliation.ok") if report.get("consistent") else tr("ops.reconciliation.bad",
                                                                             count=len(problems))
    return Panel("reconciliation", tr("ops.reconciliation"), data={
        "consistent": bool(report.get("consistent")), "status": status, "figures": figures,
        "problems": [str(p) for p in problems[:20]]})


def auctions_panel(results: list[dict[str, Any]], locale: str) -> Panel:
    tr = lambda key, **v: i18n.translate(key, locale, **v)  # noqa: E731

    def price(pool: dict[str, Any]) -> float | None:
        value = pool.get("settlement_price_usd")
        return None if value in (None, "") else float(value)

    labels = [str(r.get("auction_date") or r.get("auction_id")) for r in results]
    current = [r.get("current") or {} for r in results]
    advance = [r.get("advance") or {} for r in results]
    prices = _texts(locale, "ops.auctions.prices", "ops.auctions.prices_desc", "ops.auction")
    sold = _texts(locale, "ops.auctions.sold", "ops.auctions.sold_desc", "ops.auction")
    empty = tr("ops.auctions.empty")
    charts = [
        _svg(line_chart("ops-auction-prices", Texts(prices.title, prices.description, prices.category, empty,
                                                      prices.table_summary), labels,
                          [Series(tr("ops.auctions.current"), [price(p) for p in current]),
                           Series(tr("ops.auctions.advance"), [price(p) for p in advance])])),
        _svg(stacked_bar_chart("ops-auction-sold", Texts(sold.title, sold.description, sold.category, empty,
                                                           sold.table_summary), labels,
                                 [Series(tr("ops.auctions.sold_series"), [p.get("sold", 0) for p in current]),
                                  Series(tr("ops.auctions.unsold_series"),
                                         [max(p.get("offered", 0) - p.get("sold", 0), 0) for p in current])])),
    ]
    return Panel("auctions", tr("ops.auctions"), charts)


async def _panel(build: Any, fetch: Any, locale: str) -> Panel | None:
    try:
        body = await fetch
    except Hidden:
        return None
    except ApiError as error:
        panel = build.__name__.removesuffix("_panel")
        return Panel(panel, i18n.translate(f"ops.{panel}", locale),
                     error=i18n.translate("ops.unavailable", locale, error=error.text))
    return build(body, locale)  # type: ignore[no-any-return]


async def _bus(api: Api, locale: str) -> Panel | None:
    async def one(service: str) -> tuple[str, dict[str, Any] | str | None]:
        try:
            return service, await _fetch(api, service, "/ops/bus")
        except Hidden:
            return service, None
        except ApiError as error:
            return service, error.text

    answers = await asyncio.gather(*(one(s) for s in SERVICES))
    health = {service: body for service, body in answers if body is not None}
    # shown when at least one service let this person read it; unreachable ones are then listed as such
    return bus_panel(health, locale) if any(isinstance(b, dict) for b in health.values()) else None


async def collect(api: Api, locale: str) -> list[Panel]:
    """Every panel this person may see, fetched concurrently with their token."""
    found = await asyncio.gather(
        _panel(transfers_panel, _fetch(api, "transfers", "/v1/ops/statistics"), locale),
        _bus(api, locale),
        _panel(reconciliation_panel, _fetch(api, "registry", "/v1/ops/reconciliation"), locale),
        _panel(auctions_panel, _fetch(api, "auction", "/v1/results"), locale),
    )
    return [p for p in found if p is not None]


@router.get("", response_class=HTMLResponse, include_in_schema=False)
@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard(request: Request, user: User = Depends(current_user), api: Api = Depends(get_api)) -> HTMLResponse:
    locale = locale_of(request)
    panels = await collect(api, locale)
    now = request.app.state.clock.now()
    return render(request, "dashboard/index.html", {"panels": panels, "now": now.isoformat(timespec="seconds")},
                  user=user)
