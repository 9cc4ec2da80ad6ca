"""Write the hostile corpus (tests/hostile/files/). Run once; the files are committed so tests read them as is.

    python tests/hostile/make_corpus.py

Every file is small and its expected outcome (how many records a careful reader finds) is stated in
tests/hostile/test_corpus.py next to its name, counted by hand from what this script writes.
"""
import gzip
import io
import json
import zipfile
from pathlib import Path

HERE = Path(__file__).parent / "files"
HEAD = "order_id,purchase_date,fulfillment_channel,order_status"


def rows(n, start=0, extra=""):
    return [f"A{i},2026-01-{1 + i % 28:02d}T10:00:00Z,MFN,Shipped{extra}" for i in range(start, start + n)]


def write(name, data):
    path = HERE / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def main():
    HERE.mkdir(exist_ok=True)
    for old in HERE.iterdir():
        old.unlink()
    # 100 records, one with a quote that never closes (line 42).
    body = rows(100, extra=",note")
    body[40] = body[40].replace(",note", ',"oops')
    write("unclosed_quote.csv", "\n".join([HEAD + ",notes", *body]) + "\n")
    # 100 records, a stray quote on line 12 and another on line 52 (the second is mid-field: literal).
    body = rows(100, extra=",note")
    body[10] = body[10].replace(",note", ',"start')
    body[50] = body[50].replace(",note", ',end"')
    write("two_stray_quotes.csv", "\n".join([HEAD + ",notes", *body]) + "\n")
    # 20 records, odd ones UTF-8 and even ones cp1252.
    raw = (HEAD + ",notes\n").encode()
    for i, line in enumerate(rows(20, extra=",Café")):
        raw += (line + "\n").encode("utf-8" if i % 2 else "cp1252")
    write("mixed_encoding.csv", raw)
    # 6 records: four impossible quantities, one negative, one fine.
    q = ["1e20", "inf", str(2**63), str(2**63 - 1), "-1", "2"]
    write("huge_quantities.csv", "\n".join([HEAD + ",quantity", *[r + "," + v for r, v in zip(rows(6), q)]]) + "\n")
    # 3 records, one tracking number mangled by Excel.
    write("excel_tracking.csv", "\n".join([HEAD + ",tracking_id", *[r + "," + t for r, t in
                                                                   zip(rows(3), ["4.43659E+11", "1Z999", "T-3"])]]) + "\n")
    # 2 records: a 200 KB field, and a legitimately quoted line break.
    write("long_field.csv", f'{HEAD},notes\n{rows(1)[0]},"{"x" * 140_000}"\n{rows(1, 1)[0]},"two\nlines"\n')
    write("binary.csv", bytes(range(256)) * 8)
    write("empty.csv", b"")
    write("only_header.csv", HEAD + "\n")
    # 5 records with odd offsets: +0, +01, T23Z parse; 'now' and year 1 are rejected.
    ts = ["2026-01-01T10:00+0", "2026-01-01T10:00:00+01", "2026-01-01T23Z", "now", "0001-01-01T00:00Z"]
    write("offsets.csv", "\n".join([HEAD, *[f"T{i},{t},MFN,Shipped" for i, t in enumerate(ts)]]) + "\n")
    write("header_clash_space.csv", f"{HEAD},notes, notes\n{rows(1)[0]},a,b\n")
    write("header_clash_case.csv", "Order-ID,order-id,purchase_date,fulfillment_channel,order_status\n"
                                   "A,A,2026-01-01,MFN,Shipped\n")
    write("deep.json", "[" * 50_000 + "]" * 50_000)
    # ESC, BEL in a header name and values: the error must not echo them raw.
    write("control_chars.csv", "colour\x1b[31m,\x07bell\nred\x1b[0m,x\n")
    write("utf16.txt", ("\ufeff" + HEAD + "\r\n" + "\r\n".join(rows(4)) + "\r\n").encode("utf-16-le"))
    # 3 records ending in a lone CR (old Mac line ends).
    write("lone_cr.csv", HEAD + "\r" + "\r".join(rows(3)) + "\r")
    # 4 records with blank lines between them.
    write("blank_lines.csv", HEAD + "\n\n" + "\n\n".join(rows(4)) + "\n\n")
    # 4 records, two with extra non-empty fields.
    write("ragged.csv", "\n".join([HEAD, rows(1)[0], rows(1, 1)[0] + ",x,y", rows(1, 2)[0] + ",,",
                                   rows(1, 3)[0] + ",z"]) + "\n")
    write("non_standard_pii.csv", "\n".join([HEAD + ",Shipping Address,ship-city,ship-state,ship-zip,Full Name,"
                                                    "gift-message-text,delivery-instructions",
                                             rows(1)[0] + ",1 Main St,Springfield,IL,62701,Jo Doe,hi Jo,back door"])
          + "\n")
    # 2 records, both rejected for a value that a spreadsheet would run as a formula.
    write("formula_cells.csv", "\n".join([HEAD, 'F1,2026-01-01,MFN,"=HYPERLINK(""http://evil"")"',
                                          "F2,+cmd|' /C calc'!A0,MFN,Shipped"]) + "\n")
    write("contacts_in_rejects.csv", "\n".join([HEAD + ",notes",
                                                "B1,call 06 12 34 56 78 or jo@example.com,MFN,Shipped,x"]) + "\n")
    # Feedback alone: 3 well-formed rows whose orders are not loaded, 1 malformed (rating 9).
    write("feedback_alone.csv", "order_id,feedback_date,feedback_rating,feedback_text\n"
                                "F1,2026-01-02,1,bad\nF2,2026-01-03,2,meh\nF3,2026-01-04,5,ok\nF4,2026-01-05,9,huh\n")
    write("messages_alone.csv", "message_id,order_id,received_at,responded_at\n"
                                "M1,X1,2026-01-02T10:00:00Z,\nM2,X2,2026-01-02T11:00:00Z,2026-01-02T12:00:00Z\n")
    write("json_lines.jsonl", "\n".join(json.dumps({"order_id": f"J{i}", "purchase_date": "2026-01-02",
                                                    "fulfillment_channel": "MFN", "order_status": "Shipped",
                                                    "sku": {"nested": [1, 2]}}) for i in range(3)) + "\n")
    write("bom_semicolon.csv", "\ufeff" + "\n".join(line.replace(",", ";") for line in [HEAD, *rows(3)]) + "\n")
    write("orders.csv.gz", gzip.compress(("\n".join([HEAD, *rows(5)]) + "\n").encode()))
    write("truncated.csv.gz", gzip.compress(("\n".join([HEAD, *rows(50)]) + "\n").encode())[:60])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("orders.csv", "\n".join([HEAD, *rows(4)]) + "\n")
        archive.writestr("more/orders2.csv", "\n".join([HEAD, *rows(2, 10)]) + "\n")
    write("two_members.zip", buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w"):
        pass
    write("empty.zip", buffer.getvalue())
    write("orders", "\n".join([HEAD, *rows(2)]) + "\n")       # no extension
    write("orders.dat", "\n".join([HEAD, *rows(3)]) + "\n")
    write("not_a_workbook.xlsx", "this is text, not a workbook\n")
    write("old_excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    import datetime as dt

    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["order_id", "purchase_date", "fulfillment_channel", "order_status", "quantity"])
    sheet.append(["X1", dt.datetime(2026, 1, 2, 3, 4), "MFN", "Shipped", 2])
    sheet.append([None, None, None, None, None])
    sheet.append(["X2", "2026-01-03", "MFN", "Shipped", 1.0])
    sheet.append(["X3", "2026-01-04", "AFN", "Cancelled", None])
    buffer = io.BytesIO()
    book.save(buffer)
    write("orders.xlsx", buffer.getvalue())


if __name__ == "__main__":
    main()
