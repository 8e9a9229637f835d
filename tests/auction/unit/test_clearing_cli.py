"""`python -m services.auction.entrypoints.cli clear INPUT.json`, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from services.auction.entrypoints.cli import main

DATA = Path(__file__).parent / "data"
REPO_ROOT = Path(__file__).resolve().parents[3]


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.auction.entrypoints.cli", *args],
        cwd=REPO_ROOT, input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )


def write_input(tmp_path: Path, document: dict[str, Any]) -> str:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_clear_prints_the_documented_result_for_the_worked_example() -> None:
    # docs/auction-clearing.md shows this input and this exact output.
    completed = run_cli("clear", str(DATA / "current_pool.json"))
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert completed.stdout == (DATA / "current_pool.expected.json").read_text()
    output = json.loads(completed.stdout)
    assert output["settlement_price_usd"] == "21.00"
    assert output["settlement_price_cad"] == "28.35"
    assert {a["bidder"]: a["quantity"] for a in output["awards"]} == {"B1": 5376, "B2": 3000, "B3": 2750, "B4": 2375}
    assert output["tie_break"]["draw_order"] == ["B1", "B3", "B4"]


def test_clear_of_a_joint_auction_applies_the_guarantee_to_current_then_advance() -> None:
    completed = run_cli("clear", str(DATA / "joint_auction.json"))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == (DATA / "joint_auction.expected.json").read_text()
    output = json.loads(completed.stdout)
    assert output["current"]["settlement_price_usd"] == "28.00"
    assert output["advance"]["settlement_price_usd"] == "15.00"
    assert output["advance"]["undersubscribed"] is True
    assert output["advance"]["jurisdictions"]["CA"]["sold"] == 1200  # 2,000 × 3,001/5,000 = 1,200.4
    assert output["advance"]["jurisdictions"]["QC"]["sold"] == 800  # 799.6 -> 800, largest remainder
    assert output["guarantees"][0]["remaining_for_advance_usd"] == "44000.00"


def test_clear_reads_standard_input_and_reports_a_generated_seed() -> None:
    document = json.loads((DATA / "current_pool.json").read_text())
    del document["seed"]
    completed = run_cli("clear", "-", stdin=json.dumps(document))
    assert completed.returncode == 0, completed.stderr
    output = json.loads(completed.stdout)
    assert output["seed_source"] == "generated"
    assert isinstance(output["seed"], int)
    document["seed"] = output["seed"]  # replaying with the reported seed gives the same awards
    replay = json.loads(run_cli("clear", "-", stdin=json.dumps(document)).stdout)
    assert replay["awards"] == output["awards"]


def test_non_whole_cent_price_exits_2_with_a_stable_code_and_no_traceback(tmp_path: Path) -> None:
    document = json.loads((DATA / "current_pool.json").read_text())
    document["bids"][3]["price"] = "24.005"
    completed = run_cli("clear", write_input(tmp_path, document))
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == "not_whole_cents: bids[3].price must be whole cents, got 24.005\n"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["bids"][0].update(quantity=2500), "not_in_lots: bids[0].quantity"),
        (lambda d: d["bidders"][0].update(currency="CAD"), "currency_not_allowed: bidders[0].currency"),
        (lambda d: d["bids"][0].update(bidder="NOBODY"), "unknown_bidder: bids[0].bidder 'NOBODY'"),
    ],
)
def test_invalid_input_exits_2_with_its_code(tmp_path: Path, edit: Any, expected: str) -> None:
    document = json.loads((DATA / "current_pool.json").read_text())
    edit(document)
    completed = run_cli("clear", write_input(tmp_path, document))
    assert completed.returncode == 2
    assert completed.stderr.startswith(expected)
    assert "Traceback" not in completed.stderr


def test_unreadable_or_malformed_input_exits_2(tmp_path: Path) -> None:
    missing = run_cli("clear", str(tmp_path / "missing.json"))
    assert (missing.returncode, missing.stderr.split(":")[0]) == (2, "input_not_readable")
    bad = tmp_path / "bad.json"
    bad.write_text("{\"kind\": ")
    malformed = run_cli("clear", str(bad))
    assert (malformed.returncode, malformed.stderr.split(":")[0]) == (2, "invalid_json")


def test_main_can_be_called_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clear", str(DATA / "current_pool.json")]) == 0
    assert capsys.readouterr().out == (DATA / "current_pool.expected.json").read_text()
    assert main([]) == 2  # usage error: argparse's status
    assert main(["clear", str(DATA / "nope.json")]) == 2


def test_the_readme_worked_example_clears_as_the_readme_says() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "capreg.cli", "auction", "clear", "docs/examples/auction-small.json"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    output = json.loads(completed.stdout)
    assert (output["settlement_price_usd"], output["settlement_price_cad"]) == ("21.00", "28.35")
    assert {a["bidder"]: (a["quantity"], a["cost_usd"], a["cost_cad"]) for a in output["awards"]} == {
        "B1": (5800, "121800.00", None), "B2": (3000, "63000.00", "85050.00"), "B3": (1200, "25200.00", None),
    }
    assert output["consignors"]["UTIL-NORTH"]["sold"] == 2000
    assert (output["tie_break"]["tied_quantity"], output["tie_break"]["remaining_supply"]) == (5000, 3000)
