"""Spec files: the four forms carry what DOMAIN.md names; broken specs are reported fully."""

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from core.app import create_app
from forms.json_schema import record_data_schema
from forms.spec.library import SPEC_DIR, load_directory, load_or_fail
from forms.spec.parser import SpecError

DOMAIN_FIELDS = {
    "CP": {"channel", "customer_name", "phone", "order_no", "part_no", "quantity",
           "delivery_date", "defective_quantity", "complaint", "customer_request", "cause_class",
           "level", "responsible_department", "investigation", "root_cause",
           "corrective_action", "customer_reply", "customer_accepted"},
    "VR": {"visit_date", "customer_name", "phone", "needs", "feedback", "receiving_staff"},
    "RS": {"policy_no", "policyholder", "due_date", "instalment", "policy_state",
           "service_staff", "visits", "nonpayment_reason", "customer_choice", "customer_signature"},
    "AR": {"applicant_department", "records_wanted", "purpose", "reason", "period_from",
           "period_to"},
    "PR": {"request_kinds", "received_at", "customer_name", "phone", "policy_no", "order_no",
           "identity_check", "identity_note", "correction_wanted"},
}


def test_the_four_specs_load_with_every_domain_field():
    specs = load_or_fail()
    assert set(specs) == {"CP", "VR", "RS", "AR", "DD", "PR"}
    assert specs["DD"].system and not any(specs[c].system for c in ("CP", "VR", "RS", "AR", "PR"))
    for code, names in DOMAIN_FIELDS.items():
        assert names <= {f.name for f in specs[code].fields}, code
        assert specs[code].title["zh"] and specs[code].title["en"]
        assert all(f.label["zh"] and f.label["en"] for f in specs[code].fields)


def test_phone_is_required_on_the_visit_register_and_rs_has_a_visit_log():
    specs = load_or_fail()
    assert specs["VR"].field("phone").required
    visits = specs["RS"].field("visits")
    assert visits.type == "rows"
    assert [c.name for c in visits.columns] == ["visit_date", "method", "notes"]


@pytest.mark.parametrize("code", ["CP", "VR", "RS", "AR", "PR"])
def test_each_json_schema_is_valid_draft_2020_12(code):
    schema = record_data_schema(load_or_fail()[code])
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


BROKEN = """
code = "XX"
version = 1
title = { zh = "测试", en = "Test" }
category = { zh = "测试", en = "Test" }
department = "CS"
retention = "test"
colour = "blue"

[[fields]]
name = "phone"
type = "fone"
label = { zh = "电话", en = "Phone" }

[[fields]]
name = "amount"
type = "integer"
min = 10
max = 1
label = { zh = "金额" }

[[fields]]
name = "kind"
type = "choice"
label = { zh = "类别", en = "Kind" }
max_length = 3

[print]
summary = ["nothing"]
variants = ["poster"]

[workflow]
initial = "nowhere"
states = { registered = { zh = "已登记", en = "Registered" } }
"""


def write_spec(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_problem_is_reported_with_file_and_field(tmp_path):
    path = write_spec(tmp_path, "XX.toml", BROKEN)
    _specs, problems = load_directory(tmp_path)
    text = "\n".join(problems)
    assert all(p.startswith(f"{path}: ") for p in problems)
    assert "unknown key 'colour'" in text
    assert "field 'phone': unknown type 'fone'" in text
    assert "field 'amount' label: needs texts in both languages" in text
    assert "field 'kind': key 'max_length' does not apply to type 'choice'" in text
    assert "field 'kind': needs at least one entry in choices" in text
    assert "workflow.initial: 'nowhere' is not one of the states" in text
    assert "print.summary: names unknown field 'nothing'" in text
    assert "print.variants: unknown variant 'poster'" in text
    assert len(problems) >= 6


def test_not_toml_and_wrong_file_name_are_reported(tmp_path):
    write_spec(tmp_path, "AA.toml", "code = [")
    good = (SPEC_DIR / "AR.toml").read_text(encoding="utf-8")
    write_spec(tmp_path, "ZZ.toml", good)
    _specs, problems = load_directory(tmp_path)
    assert any("AA.toml: not valid TOML" in p for p in problems)
    assert any("ZZ.toml: the file name must be the form code (AR.toml)" in p for p in problems)


def test_the_app_refuses_to_start_with_a_broken_spec(tmp_path, instance_dir):
    write_spec(tmp_path, "XX.toml", BROKEN)
    with pytest.raises(SpecError) as failure:
        create_app({"SPEC_DIR": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert "unknown type 'fone'" in str(failure.value)


def test_forms_check_lists_all_problems_and_exits_non_zero(app, tmp_path):
    write_spec(tmp_path, "XX.toml", BROKEN)
    app.config["SPEC_DIR"] = tmp_path
    result = app.test_cli_runner().invoke(args=["forms", "check"])
    assert result.exit_code == 1
    assert "unknown type 'fone'" in result.output and "problem(s) found" in result.output


def test_forms_check_passes_on_the_shipped_specs(app):
    result = app.test_cli_runner().invoke(args=["forms", "check"])
    assert result.exit_code == 0, result.output
    assert "OK: 6 specs (AR v4, CP v6, DD v3, PR v1, RS v4, VR v3)" in result.output
