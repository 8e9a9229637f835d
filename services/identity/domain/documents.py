"""Uploaded KYC documents: the type is decided from the content (magic bytes), never the name."""

from __future__ import annotations

from services.identity.domain.errors import DocumentTooLarge, InvalidInput, UnsupportedDocumentType

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
ALLOWED_CONTENT_TYPES = tuple(ct for _, ct in _SIGNATURES)


def sniff_content_type(head: bytes) -> str | None:
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def check_document(content: bytes, max_bytes: int) -> str:
    """Return the sniffed content type of an acceptable document, or refuse it."""
    if not content:
        raise InvalidInput("the document is empty")
    if len(content) > max_bytes:
        raise DocumentTooLarge(max_bytes=max_bytes)
    content_type = sniff_content_type(content[:16])
    if content_type is None:
        raise UnsupportedDocumentType(allowed=list(ALLOWED_CONTENT_TYPES))
    return content_type


def safe_filename(name: str | None) -> str | None:
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable() and c not in "<>:\"|?*")
    return cleaned[:200] or None
