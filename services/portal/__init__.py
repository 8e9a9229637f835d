"""The web portal: server-rendered pages over the five services\x27 HTTP APIs (no database)."""
