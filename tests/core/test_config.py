"""Configuration values that would break printing later are refused at start-up, by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import ConfigError, InstancePaths, load_config


def config_with(tmp_path: Path, toml: str) -> dict[str, object]:
    (tmp_path / "config.toml").write_text(toml, encoding="utf-8")
    return load_config(InstancePaths(tmp_path), environ={})


@pytest.mark.parametrize(("toml", "named"), [
    ('public_url = "records.example.com"', "PUBLIC_URL"),
    ('public_url = "javascript:alert(1)"', "PUBLIC_URL"),
    ('public_url = "https://x.example?q=1"', "PUBLIC_URL"),
    ("pdf_logo = 5", "PDF_LOGO"),
    ("pdf_font_bold = true", "PDF_FONT_BOLD"),
    ('timezone = "Mars/Olympus"', "TIMEZONE"),
])
def test_a_bad_value_is_refused_naming_the_setting(tmp_path: Path, toml: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        config_with(tmp_path, toml)


def test_good_values_pass_through(tmp_path: Path) -> None:
    config = config_with(tmp_path, 'public_url = "https://records.example.com/dossier"\npdf_logo = ""')
    assert config["PUBLIC_URL"] == "https://records.example.com/dossier" and config["PDF_LOGO"] == ""
