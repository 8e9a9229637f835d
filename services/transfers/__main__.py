"""`python -m services.transfers`: serve the transfers API (with its relay and consumers) with uvicorn."""

import uvicorn

from services.transfers.config import Settings
from services.transfers.entrypoints.http.app import create_app


def main() -> None:
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
