"""The S3 store's settings: what the app config must say, and a ConfigError naming each wrong one."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.s3_settings import S3Settings
from core.config import ConfigError

GOOD = {"S3_ENDPOINT_URL": "https://oss-cn-hangzhou.aliyuncs.com", "S3_BUCKET": "dossier-records",
        "S3_ACCESS_KEY_ID": "AKID", "S3_SECRET_ACCESS_KEY": "secret"}


def test_defaults_and_normalised_values() -> None:
    settings = S3Settings.from_config({**GOOD, "S3_ENDPOINT_URL": "http://127.0.0.1:8080/",
                                       "S3_PREFIX": "/office/a/"})
    assert settings == S3Settings(endpoint="http://127.0.0.1:8080", bucket="dossier-records",
                                  prefix="office/a",
                                  region="us-east-1", access_key="AKID", secret_key="secret",
                                  addressing_style="path")
    chain = S3Settings.from_config({"S3_ENDPOINT_URL": "https://s3.example.org", "S3_BUCKET": "abc",
                                    "S3_REGION": "cn-north-1", "S3_ADDRESSING_STYLE": "virtual"})
    assert (chain.access_key, chain.secret_key, chain.region, chain.addressing_style) == (
        None, None, "cn-north-1", "virtual")


@pytest.mark.parametrize(("changes", "named"), [
    ({"S3_ENDPOINT_URL": None}, "S3_ENDPOINT_URL"),
    ({"S3_ENDPOINT_URL": "ftp://host"}, "S3_ENDPOINT_URL"),
    ({"S3_ENDPOINT_URL": "https://user:pw@host"}, "S3_ENDPOINT_URL"),
    ({"S3_ENDPOINT_URL": "https://host/path?x=1"}, "S3_ENDPOINT_URL"),
    ({"S3_ENDPOINT_URL": "https://host:99999"}, "S3_ENDPOINT_URL"),
    ({"S3_ENDPOINT_URL": 8080}, "S3_ENDPOINT_URL"),
    ({"S3_BUCKET": None}, "S3_BUCKET"),
    ({"S3_BUCKET": "Upper_Case"}, "S3_BUCKET"),
    ({"S3_BUCKET": "ab"}, "S3_BUCKET"),
    ({"S3_PREFIX": "../up"}, "S3_PREFIX"),
    ({"S3_PREFIX": "a//b"}, "S3_PREFIX"),
    ({"S3_PREFIX": 3}, "S3_PREFIX"),
    ({"S3_REGION": "US East"}, "S3_REGION"),
    ({"S3_ADDRESSING_STYLE": "auto"}, "S3_ADDRESSING_STYLE"),
    ({"S3_SECRET_ACCESS_KEY": None}, "S3_SECRET_ACCESS_KEY"),
    ({"S3_ACCESS_KEY_ID": ""}, "S3_ACCESS_KEY_ID"),
    ({"S3_ACCESS_KEY_ID": " AKID"}, "S3_ACCESS_KEY_ID"),
])
def test_each_wrong_setting_is_named(changes: dict[str, Any], named: str) -> None:
    config = {key: value for key, value in {**GOOD, **changes}.items() if value is not None}
    with pytest.raises(ConfigError, match=f"^{named}: "):
        S3Settings.from_config(config)


@given(st.dictionaries(st.sampled_from(["S3_ENDPOINT_URL", "S3_BUCKET", "S3_PREFIX", "S3_REGION",
                                        "S3_ADDRESSING_STYLE", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"]),
                       st.one_of(st.text(max_size=40), st.integers(), st.none())))
def test_any_config_gives_settings_or_a_config_error(config: dict[str, Any]) -> None:
    try:
        settings = S3Settings.from_config(config)
    except ConfigError as exc:
        assert str(exc).split(":")[0] in config or str(exc).startswith(("S3_ENDPOINT_URL", "S3_BUCKET",
                                                                        "S3_ACCESS_KEY_ID", "S3_SECRET"))
    else:
        assert settings.endpoint.startswith(("http://", "https://")) and settings.bucket
