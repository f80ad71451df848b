"""The dry run's summary and lists read right (found walking issue 19 as an archivist): a file
imported once and run again counted its five refused rows as "without problems: CP 5", and the
English report listed a form's states with the Chinese enumeration comma; a choice the register
wrote differently was refused with "Choose one of the listed options", and a sheet lists none."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from tests.support.legacy_sheets import CP_HEADERS, cp_row, run_import, write_xlsx

DAY = datetime(2015, 3, 1, 10, 15)


def register(tmp_path: Path, *codes: str) -> Path:
    return write_xlsx(tmp_path / "cp.xlsx", {"CP": [CP_HEADERS, *(cp_row(code, DAY) for code in codes)]})


def summary_of(output: str, lang: str) -> str:
    start = "cp.xlsx：" if lang == "zh" else "cp.xlsx: "
    return next(line for line in output.splitlines() if line.startswith(start))


@pytest.mark.parametrize(("lang", "none_left", "one_left"), [
    ("zh", "无问题的：—", "无问题的：CP 1"),
    ("en", "without problems: —", "without problems: CP 1")])
def test_rows_whose_code_is_taken_are_not_counted_as_without_problems(
        app: Flask, tmp_path: Path, lang: str, none_left: str, one_left: str) -> None:
    book = register(tmp_path, "CP-2015-000001", "CP-2015-000002")
    assert run_import(app, book, "--commit")[0] == 0
    status, output = run_import(app, book, "--lang", lang)  # the same file again: both codes taken
    assert status == 1 and none_left in summary_of(output, lang), output

    book = register(tmp_path, "CP-2015-000002", "CP-2015-000003")  # one taken, one new
    status, output = run_import(app, book, "--lang", lang)
    assert status == 1 and one_left in summary_of(output, lang), output


@pytest.mark.parametrize(("lang", "states"), [
    ("en", "one of Registered, Classified, Investigating, Responded, Closed, Returned for completion, "
           "Waiting for the customer."),
    ("zh", "应为以下之一：已登记、已分类、调查改善中、已回复客户、已结案、已退回补充、待客户补充资料。")])
def test_a_forms_states_are_listed_in_the_reports_language(app: Flask, tmp_path: Path, lang: str,
                                                          states: str) -> None:
    row = cp_row("CP-2015-000001", DAY, 状态="已结束")
    book = write_xlsx(tmp_path / "cp.xlsx", {"CP": [CP_HEADERS, row]})
    status, output = run_import(app, book, "--lang", lang)
    assert status == 1 and states in output, output


@pytest.mark.parametrize(("lang", "said"), [
    ("zh", "“客诉等级”列：“五级”不是可选项之一，应为："
           "一级（权限内）、二级（需协调部门）、三级（重大投诉）。"),
    ("en", "column “客诉等级”: “五级” is not one of the choices: Level 1 (within authority), "
           "Level 2 (needs other departments), Level 3 (major).")])
def test_a_choice_that_is_none_of_the_forms_names_them_all(app: Flask, tmp_path: Path, lang: str,
                                                           said: str) -> None:
    rows = [cp_row("CP-2015-000001", DAY, 客诉等级="五级"),
            cp_row("CP-2015-000002", DAY, 客诉等级="Level 2 (needs other departments)"),
            cp_row("CP-2015-000003", DAY, 客诉等级=None)]  # the English label and no answer are fine
    book = write_xlsx(tmp_path / "cp.xlsx", {"CP": [CP_HEADERS, *rows]})
    status, output = run_import(app, book, "--lang", lang)
    problems = [line for line in output.splitlines() if line.startswith(("工作表", "Sheet"))]
    assert status == 1 and len(problems) == 1 and said in problems[0], output
