"""App factory of the registry service: no I/O at import; everything starts in the lifespan."""

from fastapi import FastAPI

from services.registry.bootstrap import bootstrap, seed_jurisdiction_accounts
from services.registry.config import Settings
from services.registry.entrypoints.http import entity_routes, ledger_routes, linkage_routes, ops_routes, routes
from shared.clock import Clock
from shared.http.app import build_app


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    runtime = bootstrap(settings, clock)
    app = build_app(
        runtime,
        title="capreg registry: entities, accounts, representatives, the serial-number ledger",
        routers=[routes.router, entity_routes.router, ledger_routes.router, linkage_routes.router,
                 ops_routes.router],
        on_startup=[seed_jurisdiction_accounts],
    )
    app.state.policy = runtime.policy
    return app
