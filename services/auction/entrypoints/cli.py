"""Command line: ``capreg auction clear INPUT.json`` (or ``python -m services.auction.entrypoints.cli``).

Prints the clearing result as JSON (indent=2) on stdout and exits 0. Bad input: one line
``CODE: message`` on stderr and exit status 2, never a traceback. INPUT may be ``-`` for stdin.
"""

from __future__ import annotations

import argparse
import gc
import json
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.auction.domain.clearing import clear_joint, clear_pool
from services.auction.domain.clearing_errors import ClearingError
from services.auction.domain.clearing_input import PoolAuction
from services.auction.domain.clearing_parse import ClearingRequest, load_request
from services.auction.domain.clearing_render import JsonObject, render_joint, render_pool

EXIT_OK = 0
EXIT_INVALID_INPUT = 2  # also argparse's status for a usage error


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="capreg auction", description="Auction tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    clear = commands.add_parser(
        "clear",
        help="clear an auction from a JSON input file",
        description="Clear one pool or a joint Current + Advance auction; see docs/auction-clearing.md.",
    )
    clear.add_argument("input", help="the JSON input file, or - to read standard input")
    return parser


def _new_seed() -> int:
    """A fresh tie-break seed when the input has none; it is reported in the output."""
    return secrets.randbits(63)


def _read(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    return Path(source).read_bytes()


def clear_document(text: str | bytes) -> JsonObject:
    """Parse, clear and render one input document; raises ClearingError on bad input."""
    return _clear_request(load_request(text, _new_seed))


def _clear_request(request: ClearingRequest) -> JsonObject:
    if isinstance(request.auction, PoolAuction):
        return render_pool(clear_pool(request.auction, request.seed), seed_generated=request.seed_generated)
    return render_joint(clear_joint(request.auction, request.seed), seed_generated=request.seed_generated)


@contextmanager
def _input_frozen() -> Iterator[None]:
    """Keep the cyclic garbage collector from scanning the parsed input again and again while
    clearing: a million parsed bids are a million objects (a large auction clears faster).
    Objects are unfrozen afterwards, unless someone else had frozen objects before us."""
    ours = gc.get_freeze_count() == 0
    if ours:
        gc.freeze()
    try:
        yield
    finally:
        if ours:
            gc.unfreeze()


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage message
        return exit_.code if isinstance(exit_.code, int) else EXIT_INVALID_INPUT
    try:
        text = _read(args.input)
    except OSError as exc:
        print(f"input_not_readable: {args.input}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    try:
        request = load_request(text, _new_seed)
        with _input_frozen():
            output = _clear_request(request)
    except ClearingError as exc:
        print(f"{exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    json.dump(output, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
