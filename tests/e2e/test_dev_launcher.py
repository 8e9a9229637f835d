"""The README's run command: everything healthy within 60 s, Ctrl-C stops it, a second run keeps the data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyotp

from capreg.services import PORTAL, SERVICES
from shared.infra.embedded import free_port, port_open

READY = "all five services healthy in"


def _launch(data_dir: Path, offset: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "capreg.cli", "dev", "up", "--data-dir", str(data_dir),
         "--port-offset", str(offset), "--broker-port", str(free_port()), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        lines.append(line.rstrip())
        if marker in line:
            return lines
    raise AssertionError(f"{marker!r} not seen; output:\n" + "\n".join(lines))


_USED_CODES: set[tuple[str, str]] = set()


def _sign_in(identity: str, email: str, secret: str) -> str:
    code = pyotp.TOTP(secret).now()
    while (email, code) in _USED_CODES:  # a one-time code is refused a second time: wait for the next one
        time.sleep(1)
        code = pyotp.TOTP(secret).now()
    _USED_CODES.add((email, code))
    r = httpx.post(f"{identity}/oauth/token", data={
        "grant_type": "urn:capreg:params:oauth:grant-type:mfa-login", "client_id": "capreg-api",
        "username": email, "password": "demo passphrase 2026", "totp": code,
    }, timeout=10)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def _demo_secret(data_dir: Path, email: str) -> str:
    line = next(line for line in (data_dir / "demo-loaded").read_text().splitlines() if email in line)
    return line.split("TOTP secret ")[1].strip()


def _alice_holdings(offset: int, data_dir: Path) -> dict[str, int]:
    identity, registry = (f"http://127.0.0.1:{port + offset}" for port in (8101, 8102))
    token = _sign_in(identity, "alice@demo.capreg.org", _demo_secret(data_dir, "alice@demo.capreg.org"))
    headers = {"Authorization": f"Bearer {token}"}
    mine = httpx.get(f"{registry}/v1/me/accounts", headers=headers, timeout=10)
    assert mine.status_code == 200, mine.text
    holding = next(a for a in mine.json()["accounts"] if a["account_type"] == "holding")
    r = httpx.get(f"{registry}/v1/accounts/{holding['account_number']}/holdings", headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return {f"{b['instrument_type']}:{b.get('vintage')}": b["quantity"] for b in r.json()["balances"]}


def test_dev_up_brings_all_services_to_healthy_stops_on_ctrl_c_and_keeps_data(tmp_path: Path):
    offset = 20000 + os.getpid() % 5000
    process = _launch(tmp_path, offset)
    try:
        lines = _read_until(process, READY, timeout=90)
        seconds = float(next(line for line in lines if READY in line).split(READY)[1].split("s")[0])
        assert seconds < 60
        for spec in SERVICES:
            r = httpx.get(f"http://127.0.0.1:{spec.port + offset}/readyz", timeout=5)
            assert r.status_code == 200, (spec.name, r.text)
            assert r.json()["checks"] == {"database": "ok", "broker": "ok"}
            assert httpx.get(f"http://127.0.0.1:{spec.port + offset}/openapi.json", timeout=5).status_code == 200
        portal = f"http://127.0.0.1:{8100 + offset}"
        _read_until(process, f"portal     {portal}", timeout=10)  # the launcher prints the portal's URL
        assert httpx.get(f"{portal}/readyz", timeout=5).status_code == 200
        signin = httpx.get(f"{portal}/signin", timeout=5)
        assert signin.status_code == 303
        authorize = signin.headers["location"]
        assert authorize.startswith(f"http://127.0.0.1:{8101 + offset}/oauth/authorize?")
        page = httpx.get(authorize, timeout=5)  # identity knows the portal's callback under the offset
        assert page.status_code == 200 and "Sign in" in page.text, page.text
        _read_until(process, "demo data loaded", timeout=60)
        before = _alice_holdings(offset, tmp_path)  # a demo representative signs in with TOTP and sees holdings
        assert sum(before.values()) > 0, before
    finally:
        process.send_signal(signal.SIGINT)  # what Ctrl-C does
        code = process.wait(30)
    assert code == 0
    assert not any(port_open(spec.port + offset) for spec in (*SERVICES, PORTAL)), "every service stopped"
    assert (tmp_path / "demo-loaded").exists()

    again = _launch(tmp_path, offset, "--exit-when-ready")
    output, _ = again.communicate(timeout=120)
    assert again.returncode == 0, output
    assert READY in output
    assert "demo data loaded" not in output, "the second run keeps the data and does not reload the demo"

    third = _launch(tmp_path, offset)
    try:
        _read_until(third, READY, timeout=90)
        assert _alice_holdings(offset, tmp_path) == before, "holdings survive a restart of the stack"
    finally:
        third.send_signal(signal.SIGINT)
        assert third.wait(30) == 0
