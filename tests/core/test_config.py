"""Configuration values that would break printing later are refused at start-up, by name."""

from __future__ import annotations

import os
import subprocess
import sys
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


@pytest.mark.parametrize(("toml", "named"), [
    ('TIMEZONE = "Mars/Base"', "TIMEZONE"),
    ('SEARCH_BACKEND = "elastic"', "SEARCH_BACKEND"),
])
def test_a_bad_setting_stops_the_commands_with_one_line_naming_it(tmp_path: Path, toml: str,
                                                                  named: str) -> None:
    """``flask --app wsgi …`` (and a WSGI server importing wsgi.py) read the instance's
    config.toml: a value it cannot use is one line naming the setting, not a traceback."""
    (tmp_path / "config.toml").write_text(toml + "\n", encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DOSSIER_INSTANCE": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "jobs"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(f"Dossier cannot start: {named}")


def test_the_app_starts_without_importing_weasyprint(tmp_path: Path) -> None:
    """Only rendering needs WeasyPrint; importing it costs every process (server, each worker,
    every CLI command) about half a second at start-up. A module of the print context that
    imports the renderer's fetcher at module level brought it back once (issue 19)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DOSSIER_INSTANCE": str(tmp_path)}
    probe = "import sys, wsgi; print(sorted(m for m in sys.modules if m.split('.')[0] == 'weasyprint'))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
