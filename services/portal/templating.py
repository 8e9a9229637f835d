"""Jinja2 templates of the portal and `render()`, which gives every page what base.html needs:
`locale`, `t()`, the person (`user`), the navigation their roles allow, and the CSRF token."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from services.portal import i18n
from services.portal.api import ApiError
from services.portal.session import CSRF_FIELD, User, locale_of

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
i18n.install(templates.env)

INDIVIDUAL_PAGES = (("/accounts", "nav.accounts"), ("/transfers", "nav.transfers"),
                    ("/notifications", "nav.notifications"), ("/auctions", "nav.auctions"),
                    ("/financial", "nav.financial"))
# (path, label, roles any of which shows the link) — the services enforce; this only hides what cannot work
STAFF_PAGES = (
    ("/staff/kyc", "nav.kyc", ("registrar",)),
    ("/staff/entities", "nav.entities_queue", ("registrar",)),
    ("/staff/representative-requests", "nav.rep_requests", ("registrar",)),
    ("/staff/transfers", "nav.determinations", ("executive_officer", "accounts_administrator")),
    ("/staff/restrictions", "nav.restrictions", ("executive_officer",)),
    ("/staff/auctions", "nav.auction_admin", ("auction_administrator", "executive_officer")),
    ("/staff/guarantees", "nav.guarantees", ("financial_services_administrator", "executive_officer")),
    ("/staff/settlement", "nav.settlement", ("financial_services_administrator", "auction_administrator",
                                             "executive_officer")),
    ("/ops", "nav.ops", ("executive_officer", "accounts_administrator", "market_monitor",
                         "auction_administrator", "financial_services_administrator", "registrar")),
)


def _ops_mounted() -> bool:
    return importlib.util.find_spec("services.portal.dashboard") is not None


def navigation(user: User | None) -> list[tuple[str, str]]:
    if user is None:
        return [("/", "nav.home"), ("/register", "nav.register")]
    links = [("/", "nav.home")]
    if not user.is_staff or user.has_role("individual"):
        links += list(INDIVIDUAL_PAGES)
    for path, label, roles in STAFF_PAGES:
        if path == "/ops" and not _ops_mounted():
            continue
        if user.has_any(*roles):
            links.append((path, label))
    return links


def remaining(deadline: Any, now: datetime) -> str:
    """'2 d 3 h' / '5 h 12 min' / '' when passed — the time left until an ISO-8601 deadline."""
    if not deadline:
        return ""
    try:
        due = deadline if isinstance(deadline, datetime) else datetime.fromisoformat(str(deadline))
    except ValueError:
        return ""
    if due.tzinfo is None:
        due = due.replace(tzinfo=UTC)
    left = int((due - now).total_seconds())
    if left <= 0:
        return ""
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{max(minutes, 1)} min"


@pass_context
def _remaining(ctx: Context, deadline: Any) -> str:
    return remaining(deadline, ctx.get("now") or datetime.now(UTC))


templates.env.globals["remaining"] = _remaining


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200,
           user: User | None = None) -> HTMLResponse:
    """Render a page extending base.html. `context` may hold `error` (an ApiError or text), `notice`."""
    ctx: dict[str, Any] = dict(context or {})
    user = user or getattr(request.state, "user", None)
    error = ctx.get("error")
    if isinstance(error, ApiError):
        ctx["error_problems"] = error.problems
        ctx["error"] = error.text
    ctx.setdefault("user", user)
    ctx.update(locale=locale_of(request), csrf_token=request.state.csrf_token, csrf_field=CSRF_FIELD,
               nav=navigation(user), path=request.url.path, now=request.app.state.clock.now())
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
