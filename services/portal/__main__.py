"""`python -m services.portal`: serve the web portal with uvicorn."""

import uvicorn

from services.portal.config import Settings
from services.portal.entrypoints.http.app import create_app


def main() -> None:
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None,
                proxy_headers=True)


if __name__ == "__main__":
    main()
