"""App factory of the identity service: no I/O at import; everything starts in the lifespan."""

from fastapi import FastAPI

from services.identity.application.verification import LocalVerifier
from services.identity.bootstrap import bootstrap, services, start_services
from services.identity.config import Settings
from services.identity.entrypoints.http.deps import IdentityState
from services.identity.entrypoints.http.limits import BodySizeLimit
from services.identity.entrypoints.http.oauth_routes import router as oauth_router
from services.identity.entrypoints.http.routes import router
from services.identity.entrypoints.http.staff_routes import router as staff_router
from shared.clock import Clock
from shared.http.app import build_app
from shared.runtime import ServiceRuntime


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    runtime = bootstrap(settings, clock)
    svc = services(runtime)
    state = IdentityState(svc=svc, verifier=LocalVerifier(svc))
    holder: dict[str, FastAPI] = {}

    async def on_startup(rt: ServiceRuntime) -> None:
        await start_services(rt, svc)
        # identity verifies its own tokens locally (keys, clock, sessions), not through its JWKS
        holder["app"].state.verifier = state.verifier

    app = build_app(runtime, title="capreg identity: KYC, credentials, OAuth 2",
                    routers=[router, staff_router, oauth_router], on_startup=[on_startup])
    # a document plus the form fields around it; anything larger is refused while it streams
    app.add_middleware(BodySizeLimit, max_bytes=svc.settings.max_document_bytes + 64 * 1024)
    app.state.identity = state
    holder["app"] = app
    return app
