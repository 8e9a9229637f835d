"""`python -m services.auction`: serve the auction API (with its relay and consumers) with uvicorn."""

import uvicorn

from services.auction.config import Settings
from services.auction.entrypoints.http.app import create_app


def main() -> None:
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
