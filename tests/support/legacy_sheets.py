"""Legacy registers for the import tests and the benchmark: XLSX made with openpyxl, CSV in a
chosen encoding, small real scans (a JPEG drawn by Pillow, a one-page PDF), and the command."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from openpyxl import Workbook
from PIL import Image

#: Chinese headers as a paper register has them (labels of the specs, and fixed columns).
VR_HEADERS = ["原编号", "日期", "填写人", "部门", "状态", "来访日期", "客户姓名或称呼", "联系电话",
              "客户需求", "接待人员", "扫描件"]
CP_HEADERS = ["原编号", "日期", "填写人", "状态", "投诉渠道", "受理时间", "客户名称", "联系电话", "投诉内容",
              "客诉等级", "客户确认结案", "扫描件"]
RS_HEADERS = ["原编号", "日期", "状态", "保单号", "投保人", "应缴日", "缴次", "保单状态", "服务人员",
              "访问记录", "扫描件"]
AR_HEADERS = ["code", "date", "state", "applicant_department", "records_wanted", "purpose", "reason",
              "period_from", "period_to", "scan"]


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """A workbook with one sheet per entry (the first row its header)."""
    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if c is None else str(c) for c in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def jpeg(seed: int = 0, size: tuple[int, int] = (48, 32)) -> bytes:
    """A small real JPEG, different per ``seed`` (a scan's bytes are its key in the store)."""
    image = Image.new("RGB", size, ((seed * 37) % 256, (seed * 11) % 256, (seed * 101) % 256))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def pdf(seed: int = 0) -> bytes:
    """A one-page PDF drawn by Pillow (a scanned page as an office scanner saves it)."""
    image = Image.new("RGB", (60, 80), ((seed * 53) % 256, 200, 120))  # (its CreationDate: the second)
    out = io.BytesIO()
    image.save(out, "PDF")
    return out.getvalue()


def vr_row(code: str | None, day: date | datetime, **changes: Any) -> list[Any]:
    """A visit register row in :data:`VR_HEADERS` order (a valid one unless ``changes`` break it)."""
    values = {"原编号": code, "日期": day, "填写人": "王五", "部门": "SALES", "状态": "主管已确认",
              "来访日期": day, "客户姓名或称呼": "张三",
              "联系电话": "13800138000", "客户需求": "三居室", "接待人员": "Sales", "扫描件": None}
    values.update(changes)
    return [values[h] for h in VR_HEADERS]


def cp_row(code: str | None, day: datetime, **changes: Any) -> list[Any]:
    values = {"原编号": code, "日期": day, "填写人": "clerk", "状态": "已结案", "投诉渠道": "电话",
              "受理时间": day, "客户名称": "上海恒丰", "联系电话": "021-6234 5678",
              "投诉内容": "外壳划痕严重",
              "客诉等级": "一级（权限内）", "客户确认结案": "是", "扫描件": None}
    values.update(changes)
    return [values[h] for h in CP_HEADERS]


def rs_row(code: str | None, day: date, **changes: Any) -> list[Any]:
    values = {"原编号": code, "日期": day, "状态": "accepted", "保单号": "P-88001", "投保人": "李四",
              "应缴日": date(day.year, 1, 5), "缴次": 3, "保单状态": "失效", "服务人员": "赵六",
              "访问记录": f"{day.isoformat()} | 电话访 | 客户称下月缴费", "扫描件": None}
    values.update(changes)
    return [values[h] for h in RS_HEADERS]


def ar_row(code: str | None, day: date, **changes: Any) -> list[Any]:
    values = {"code": code, "date": day, "state": "approved", "applicant_department": "CS",
              "records_wanted": "CP-2015-000001", "purpose": "audit", "reason": "年度审计",
              "period_from": day, "period_to": day, "scan": None}
    values.update(changes)
    return [values[h] for h in AR_HEADERS]


def run_import(app: Flask, path: Path, *args: str, by: str = "archivist") -> tuple[int, str]:
    """``records import PATH --by BY ARGS…``: (exit code, what it printed on stdout)."""
    result = app.test_cli_runner().invoke(args=["records", "import", str(path), "--by", by, *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output
