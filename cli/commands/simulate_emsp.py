"""`csms simulate emsp`: run the simulated eMSP roaming partner against an OCPI CPO.

Registered on the `simulate` group by `cli/main.py`; the simulator itself lives in
`simulators/emsp` and is imported only when the command runs.
"""

from __future__ import annotations

import sys

import click

__all__ = ["emsp"]


@click.command("emsp")
@click.option("--versions-url", metavar="URL", help="The CPO's OCPI versions URL.")
@click.option("--token-a", metavar="TOKEN", help="The Token A from `csms partners invite`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=0, help="Port to listen on (0: any free one).")
@click.option("--public-url", metavar="URL", help="Base URL the CPO is told to call us at.")
@click.option("--country-code", default="NL", show_default=True)
@click.option("--party-id", default="SIM", show_default=True)
@click.option(
    "--token", "tokens", multiple=True, metavar="UID", help="RFID uid to issue and upload."
)
@click.option(
    "--start-session",
    metavar="LOC[/EVSE[/CONN]]|auto",
    help="Send START_SESSION after registering (auto: the first AVAILABLE EVSE).",
)
@click.option("--stop-after", type=float, metavar="S", help="Stop that session after S seconds.")
@click.option("--duration", type=float, metavar="S", help="Exit after S seconds.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines on stdout.")
@click.option("--raw-tokens", is_flag=True, help="Send our token without Base64 (2.1.1 style).")
def emsp(
    versions_url: str | None,
    token_a: str | None,
    host: str,
    port: int,
    public_url: str | None,
    country_code: str,
    party_id: str,
    tokens: tuple[str, ...],
    start_session: str | None,
    stop_after: float | None,
    duration: float | None,
    as_json: bool,
    raw_tokens: bool,
) -> None:
    """Simulate an eMSP: register with a Token A, upload tokens, pull every module,
    optionally start a session, and print what the CPO pushes until Ctrl-C."""
    if (versions_url is None) != (token_a is None):
        raise click.UsageError("--versions-url and --token-a go together")
    from simulators.emsp import EmspOptions, run_emsp

    options = EmspOptions(
        versions_url=versions_url,
        token_a=token_a,
        host=host,
        port=port,
        public_url=public_url,
        country_code=country_code,
        party_id=party_id,
        token_uids=tokens or EmspOptions().token_uids,
        start_session=start_session,
        stop_after=stop_after,
        duration=duration,
        json=as_json,
        raw_tokens=raw_tokens,
    )
    sys.exit(run_emsp(options))
