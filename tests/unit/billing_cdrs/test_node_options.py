"""Billing's options come from the `[billing]` section of the configuration."""

from __future__ import annotations

from pathlib import Path

from shared.billing.node import BillingOptions, billing_options
from shared.config import load_settings


def test_the_defaults_are_those_of_the_billing_section() -> None:
    assert billing_options(load_settings(environ={})) == BillingOptions()


def test_the_file_and_the_environment_set_them(tmp_path: Path) -> None:
    config = tmp_path / "csms.toml"
    config.write_text('[billing]\ncurrency = "sek"\ncost_interval_seconds = 2.5\n')
    environ = {"CSMS_BILLING__CDR_SETTLE_SECONDS": "0", "CSMS_BILLING__CDR_SCAN_SECONDS": "30"}
    options = billing_options(load_settings(config, environ))
    assert options == BillingOptions(
        currency="SEK",
        cost_interval_seconds=2.5,
        cost_refresh_seconds=60.0,
        cost_updated_seconds=60.0,
        cdr_scan_seconds=30.0,
        cdr_settle_seconds=0.0,
    )
