#!/usr/bin/env python3
"""Reads every document Kheo issued with independent readers and checks it.

Usage: check_documents.py FOLDER RENDER_FOLDER

FOLDER holds the documents (<id>.docx / <id>.xlsx) and expectations.json, which the
Swift test wrote from the database: each document's number, symbol, issue day, unit
and kind, the statistics snapshot's figures for it (when it was drawn from the
current snapshot), and the stored plan's visits or the visit's findings.

- python-docx and openpyxl open every file; the heading (issuing body and
  "ĐẢNG CỘNG SẢN VIỆT NAM"), the number line and the place-and-date line are checked
  against the registry; A4 and the margins against Hướng dẫn 36-HD/VPTW; every figure
  against the snapshot; the timetable against the stored plan; in workbooks, that
  numbers are numeric cells, totals are SUM formulas whose cached value is the sum
  of the rows and the snapshot's total, and headers are frozen.
- LibreOffice (headless) converts every document to PDF, whose first page must show
  the number line (and a Word document's heading lines unbroken), and pdftoppm renders
  the first page of one document of each kind to RENDER_FOLDER/<kind>.png.

Exits 1 with every failure listed, 0 when all hold.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import warnings

import docx
import openpyxl
from docx.shared import Mm

# A reader's complaint about a file (openpyxl warns of a workbook without the
# "Normal" cell style, which Excel always writes) fails the check.
warnings.simplefilter("error")

failures = []


def fail(document, message):
    failures.append(f"document {document['id']} ({document['kind']}, {document['file']}): {message}")


def vn(number):
    """4819 -> '4.819', as Vietnamese documents group thousands."""
    return f"{number:,}".replace(",", ".")


def rate(recognised, registered):
    if registered == 0:
        return "–"
    value = round(recognised * 1000 / registered) / 10
    return f"{value:.1f}".replace(".", ",") + "%"


def date_line(place, iso):
    year, month, day = (int(part) for part in iso.split("-"))
    dd = f"{day:02d}"
    mm = f"{month:02d}" if month < 3 else str(month)
    return f"{place}, ngày {dd} tháng {mm} năm {year}"


def all_text(document):
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def check_docx(expected, path):
    d = docx.Document(path)
    section = d.sections[0]
    if abs(section.page_width - Mm(210)) > Mm(1) or abs(section.page_height - Mm(297)) > Mm(1):
        fail(expected, f"page is {section.page_width.mm:.0f}×{section.page_height.mm:.0f} mm, not A4")
    margins = (section.top_margin.mm, section.bottom_margin.mm, section.left_margin.mm, section.right_margin.mm)
    if not (20 <= margins[0] <= 25 and 20 <= margins[1] <= 25 and 30 <= margins[2] <= 35 and 15 <= margins[3] <= 20):
        fail(expected, f"margins top/bottom/left/right {margins} mm are outside 36-HD/VPTW's 20–25/20–25/30–35/15–20")
    fonts = d.styles.element.xpath("//w:docDefaults//w:rFonts/@w:ascii")
    if fonts != ["Times New Roman"]:
        fail(expected, f"default font is {fonts}, not Times New Roman")
    heading = d.tables[0]
    left, right = heading.cell(0, 0).text, heading.cell(0, 1).text
    for line in (expected["superior"], expected["issuer"], expected["numberLine"]):
        if line and line not in left:
            fail(expected, f"the heading's left column lacks {line!r}: {left!r}")
    if "ĐẢNG CỘNG SẢN VIỆT NAM" not in right:
        fail(expected, f"the heading's right column lacks ĐẢNG CỘNG SẢN VIỆT NAM: {right!r}")
    line = date_line(expected["place"], expected["issuedOn"])
    if line not in right:
        fail(expected, f"the date line is not {line!r}: {right!r}")
    text = all_text(d)
    if expected["signer"] not in text:
        fail(expected, f"the signer {expected['signer']!r} is missing")
    if "Nơi nhận" not in text:
        fail(expected, "no Nơi nhận")
    kind = expected["kind"]
    if kind == "review_report":
        check_report(expected, d, text)
    elif kind in ("inspection_plan", "inspection_schedule"):
        check_timetable(expected, d)
    elif kind == "inspection_conclusion":
        for piece in (expected["findings"], expected["recommendations"]):
            if piece and piece not in text:
                fail(expected, f"the conclusion lacks the recorded text {piece!r}")
        if expected.get("remedyDue") and f"trước ngày {expected['remedyDue']}" not in text:
            fail(expected, f"the remedy deadline {expected['remedyDue']} is missing")
    return text


def check_report(expected, d, text):
    table = d.tables[1]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    header, body = rows[0], rows[1:]
    if header[0] != "Đơn vị" or len(header) != 9:
        fail(expected, f"the figures table's header is {header}")
    total = body[-1]
    if total[0] != "Tổng cộng":
        fail(expected, f"the last row is {total[0]!r}, not the total")
    # Every row adds up to the total, column by column (counts are grouped with ".").
    for column in (1, 2, 3, 4, 5, 6, 8):
        values = [int(row[column].replace(".", "")) for row in body]
        if sum(values[:-1]) != values[-1]:
            fail(expected, f"column {header[column]!r}: rows sum to {sum(values[:-1])}, the total says {values[-1]}")
    snapshot = expected.get("snapshot")
    if not snapshot:
        return
    t = snapshot["total"]
    want = ["Tổng cộng", vn(t["registered"])] + [vn(t["byField"][field]) for field in ("economy", "cultureSociety", "defenceSecurity", "politicalSystem")] \
        + [vn(t["recognised"]), (rate(t["recognised"], t["registered"])[:-1] if t["registered"] else "–"), vn(t["commended"])]
    if total != want:
        fail(expected, f"the total row is {total}, the snapshot gives {want}")
    sentences = [
        f"có {vn(t['registered'])} mô hình “Dân vận khéo” đăng ký ({vn(t['collective'])} tập thể, {vn(t['individual'])} cá nhân)",
        f"{vn(t['recognised'])} mô hình được công nhận (tỷ lệ {rate(t['recognised'], t['registered'])} số mô hình đăng ký), {vn(t['commended'])} mô hình được biểu dương",
        f"tổ chức {vn(t['conferences'])} hội nghị với {vn(t['conferenceAttendees'])} lượt người tham dự",
        f"Đã kiểm tra {vn(t['inspectionsDone'])}/{vn(t['inspectionsPlanned'])} cuộc theo kế hoạch",
        f"{vn(t['deadlinesMet'])} nhiệm vụ hoàn thành đúng hạn, {vn(t['deadlinesMetLate'])} nhiệm vụ hoàn thành trễ hạn, {vn(t['deadlinesOverdue'])} nhiệm vụ quá hạn",
    ]
    for sentence in sentences:
        if sentence not in text:
            fail(expected, f"the text lacks the snapshot's {sentence!r}")
    for unit in snapshot["rows"]:
        row = next((r for r in body if r[0] == unit["name"]), None)
        if row is None:
            fail(expected, f"no row for {unit['name']!r}")
        elif int(row[1].replace(".", "")) != unit["registered"] or int(row[6].replace(".", "")) != unit["recognised"]:
            fail(expected, f"{unit['name']}: {row} against the snapshot's {unit}")


def check_timetable(expected, d):
    table = next((t for t in d.tables[1:] if t.rows[0].cells[0].text == "STT"), None)
    if table is None:
        fail(expected, "no timetable")
        return
    rows = [[cell.text for cell in row.cells] for row in table.rows][1:]
    want = [[str(index + 1), visit["time"], visit["unit"], visit["delegation"]] for index, visit in enumerate(expected["visits"])]
    got = [row[:4] for row in rows]
    if got != want:
        fail(expected, f"the timetable {got} is not the stored plan's {want}")
    for row, visit in zip(rows, expected["visits"]):
        if visit["leader"] not in row[4]:
            fail(expected, f"row {row[0]}: the head {visit['leader']!r} is missing from {row[4]!r}")


def check_xlsx(expected, path):
    formulas = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    names = formulas.sheetnames
    if names[0] != "Tổng hợp" or len(names) != 5:
        fail(expected, f"sheets are {names}: a summary and one per field")
    for name in names:
        ws, wc = formulas[name], cached[name]
        header_row = next(r for r in range(1, 12) if ws.cell(r, 1).value == "Đơn vị")
        if ws.freeze_panes != f"A{header_row + 1}":
            fail(expected, f"{name}: frozen at {ws.freeze_panes}, not under the header (row {header_row})")
        first = header_row + 1
        last = ws.max_row
        if ws.cell(last, 1).value != "Tổng cộng":
            fail(expected, f"{name}: the last row is {ws.cell(last, 1).value!r}")
        headers = [ws.cell(header_row, c).value for c in range(1, ws.max_column + 1)]
        for column, title in enumerate(headers[1:], start=2):
            letter = openpyxl.utils.get_column_letter(column)
            for row in range(first, last):
                cell = ws.cell(row, column)
                if title.startswith("Tỷ lệ"):
                    if cell.data_type != "f":
                        fail(expected, f"{name}!{letter}{row}: a rate is not a formula")
                    continue
                if cell.data_type != "n" or not isinstance(cell.value, (int, float)):
                    fail(expected, f"{name}!{letter}{row}: {cell.value!r} is not a numeric cell")
                elif "#,##0" not in cell.number_format:
                    fail(expected, f"{name}!{letter}{row}: number format {cell.number_format!r} does not group thousands")
            total = ws.cell(last, column)
            if title.startswith("Tỷ lệ"):
                continue
            if total.value != f"=SUM({letter}{first}:{letter}{last - 1})":
                fail(expected, f"{name}!{letter}{last}: {total.value!r} is not the sum of the rows above")
            values = [wc.cell(row, column).value for row in range(first, last)]
            if wc.cell(last, column).value != sum(values):
                fail(expected, f"{name}!{letter}{last}: cached {wc.cell(last, column).value} ≠ the rows' sum {sum(values)}")
        snapshot = expected.get("snapshot")
        if snapshot:
            t = snapshot["total"] if name == "Tổng hợp" else snapshot["fields"].get(name)
            if t is None:
                t = {"registered": 0, "recognised": 0, "commended": 0, "collective": 0, "individual": 0}
            got = {key: wc.cell(last, headers.index(title) + 1).value for key, title in
                   (("registered", "Mô hình đăng ký"), ("collective", "Tập thể"), ("individual", "Cá nhân"),
                    ("recognised", "Được công nhận"), ("commended", "Được biểu dương"))}
            want = {key: t[key] for key in got}
            if got != want:
                fail(expected, f"{name}: totals {got}, the snapshot gives {want}")
            if name == "Tổng hợp":
                for key, title in (("conferences", "Hội nghị"), ("deadlinesOverdue", "Nhiệm vụ quá hạn"), ("inspectionsDone", "Đã kiểm tra")):
                    if wc.cell(last, headers.index(title) + 1).value != t[key]:
                        fail(expected, f"{name}: {title} total ≠ the snapshot's {t[key]}")
            registered = wc.cell(last, 2).value
            rate_cell = wc.cell(last, headers.index("Tỷ lệ công nhận") + 1).value
            if registered and abs(rate_cell - want["recognised"] / registered) > 1e-9:
                fail(expected, f"{name}: the total rate {rate_cell} ≠ {want['recognised']}/{registered}")
    # The heading lines above the table.
    top = "\n".join(str(formulas["Tổng hợp"].cell(r, 1).value or "") for r in range(1, 5))
    for line in (expected["numberLine"], date_line(expected["place"], expected["issuedOn"])):
        if line not in top:
            fail(expected, f"the workbook's heading lacks {line!r}: {top!r}")


def render(documents, folder, render_folder):
    """Every document through LibreOffice to PDF (one run), each first page's text
    checked; the first page of one document of each kind rendered to PNG."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        failures.append("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui")
        return []
    os.makedirs(render_folder, exist_ok=True)
    chosen = {}
    for document in documents:
        chosen.setdefault(document["kind"], document)
    pngs = []
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory() as out:
        files = [os.path.join(folder, d["file"]) for d in documents]
        # Niced: the rest of the suite runs beside it, some of it timing wakeups.
        result = subprocess.run(
            ["nice", "-n", "10", soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", out, *files],
            capture_output=True, text=True, timeout=300,
        )
        if result.returncode != 0 or "Error" in result.stderr or "Error" in result.stdout:
            failures.append(f"LibreOffice could not convert: {result.stdout}{result.stderr}")
        for document in documents:
            pdf = os.path.join(out, os.path.splitext(document["file"])[0] + ".pdf")
            if not os.path.exists(pdf):
                fail(document, "LibreOffice wrote no PDF")
                continue
            text = unicodedata.normalize("NFC", subprocess.run(
                ["pdftotext", "-f", "1", "-l", "1", "-layout", pdf, "-"], capture_output=True, text=True).stdout)
            # In reading order, cell by cell, with line breaks as spaces: a long
            # issuer's name may wrap within its column, as offices set it.
            flowing = " ".join(unicodedata.normalize("NFC", subprocess.run(
                ["pdftotext", "-f", "1", "-l", "1", pdf, "-"], capture_output=True, text=True).stdout).split())
            if document["numberLine"] not in text:
                fail(document, f"the PDF's first page lacks {document['numberLine']!r}")
            if document["file"].endswith(".docx"):
                # The Party's name and the date line each on one line of the page.
                for line in ("ĐẢNG CỘNG SẢN VIỆT NAM", date_line(document["place"], document["issuedOn"])):
                    if line not in text:
                        fail(document, f"the PDF's first page does not hold {line!r} on one line:\n{text[:600]}")
                if document["issuer"] not in flowing:
                    fail(document, f"the PDF's first page does not hold the issuer {document['issuer']!r}:\n{flowing[:600]}")
            if chosen[document["kind"]] is not document:
                continue
            base = os.path.join(render_folder, document["kind"])
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, base], check=True)
            shutil.copy(pdf, base + ".pdf")
            pngs.append(base + ".png")
    return pngs


def main():
    folder, render_folder = sys.argv[1], sys.argv[2]
    with open(os.path.join(folder, "expectations.json"), encoding="utf-8") as handle:
        documents = json.load(handle)["documents"]
    kinds = {}
    for document in documents:
        path = os.path.join(folder, document["file"])
        kinds[document["kind"]] = kinds.get(document["kind"], 0) + 1
        try:
            if path.endswith(".docx"):
                check_docx(document, path)
            else:
                check_xlsx(document, path)
        except Exception as error:  # a file an independent reader cannot open
            fail(document, f"could not be read: {type(error).__name__}: {error}")
    pngs = render(documents, folder, render_folder)
    print(f"checked {len(documents)} documents, each converted to PDF by LibreOffice: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    for png in pngs:
        print(f"rendered {png}")
    if failures:
        print(f"{len(failures)} failures:", file=sys.stderr)
        for failure in failures:
            print("  " + failure, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
