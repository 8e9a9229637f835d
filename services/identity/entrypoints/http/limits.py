"""A cap on request bodies: an upload larger than the document limit is refused while it streams,
before it is spooled anywhere (Starlette spools multipart files without a size limit)."""

from __future__ import annotations

import json
from typing import Any

from services.identity.domain.errors import DocumentTooLarge

Scope = dict[str, Any]


class BodySizeLimit:
    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0

        async def limited_receive() -> dict[str, Any]:
            nonlocal received
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # a domain error: the app's own handler turns it into a 413 with our error body
                    raise DocumentTooLarge("the request body is too large", max_bytes=self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)

    async def _refuse(self, send: Any) -> None:
        body = json.dumps({"error": {"code": DocumentTooLarge.code, "message": "the request body is too large",
                                     "details": {"max_bytes": self.max_bytes}}}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
