"""PDF files for tests, built in code: one plain PDF every upload test shares, and the kinds
a supporting document must be refused for (issue 7: active content, polyglots)."""

from __future__ import annotations

import zlib
from io import BytesIO

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def _written(writer: PdfWriter) -> bytes:
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _one_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def plain_pdf() -> bytes:
    """A real, minimal, one-page PDF with nothing in it but the page."""
    return _written(_one_page())


# The shared plain PDF of the upload tests.
PDF = plain_pdf()


def pdf_of_size(size: int) -> bytes:
    """A plain PDF of exactly ``size`` bytes: padded with whitespace after its end marker,
    which PDF allows."""
    assert size >= len(PDF)
    return PDF + b"\n" * (size - len(PDF))


def pdf_with_javascript() -> bytes:
    writer = _one_page()
    writer.add_open_action(JavaScript("app.alert('opened');"))
    return _written(writer)


def pdf_with_launch_action() -> bytes:
    writer = _one_page()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("calc.exe"),
        }
    )
    return _written(writer)


def pdf_with_attachment() -> bytes:
    writer = _one_page()
    writer.add_attachment("invoice.exe", b"MZ\x90\x00 not really a program")
    return _written(writer)


def pdf_with_javascript_hidden_in_object_stream() -> bytes:
    """JavaScript in a compressed object stream, its names hex-escaped (/J#53 is /JS,
    /#4Aava#53cript is /JavaScript): no byte of the file spells either name."""
    action = b"<< /S /#4Aava#53cript /J#53 (app.alert\\(1\\)) >>"
    index = b"4 0 "
    packed = zlib.compress(index + action)
    out = BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def put(number: int, body: bytes) -> None:
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    put(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>")
    put(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    put(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
    put(
        5,
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(index), len(packed))
        + packed
        + b"\nendstream",
    )
    offsets[6] = out.tell()
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for number in (1, 2, 3):
        rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
    rows.append(b"\x02" + (5).to_bytes(4, "big") + b"\x00\x00")  # object 4: first in 5
    rows.append(b"\x01" + offsets[5].to_bytes(4, "big") + b"\x00\x00")
    rows.append(b"\x01" + offsets[6].to_bytes(4, "big") + b"\x00\x00")
    table = b"".join(rows)
    out.write(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\n"
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % offsets[6])
    return out.getvalue()


def pdf_zip_polyglot() -> bytes:
    """A plain PDF with a ZIP archive appended: a PDF to one reader, a ZIP to another."""
    archive = BytesIO()
    import zipfile

    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.html", "<script>alert(1)</script>")
    return PDF + archive.getvalue()


def pdf_html_polyglot() -> bytes:
    """An HTML page before a plain PDF: a PDF to a lenient reader, a page to a browser."""
    return b"<html><body><script>alert(1)</script></body></html>\n" + PDF


def pdf_zip_polyglot_ending_like_a_pdf() -> bytes:
    """A ZIP appended after the PDF whose archive comment imitates a PDF ending
    (``startxref … %%EOF``), so the file's last bytes look like a plain PDF's."""
    import zipfile

    archive = BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.html", "<script>alert(1)</script>")
        bundle.comment = b"\nstartxref\n%d\n%%%%EOF\n" % PDF.rfind(b"xref")
    return PDF + archive.getvalue()


def pdf_with_xfa_form() -> bytes:
    """An XFA form: its scripts live in XML streams, not under /JS."""
    from pypdf.generic import StreamObject

    writer = _one_page()
    xfa = StreamObject()
    xfa.set_data(b"<xdp:xdp><script>app.alert(1)</script></xdp:xdp>")
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/XFA"): writer._add_object(xfa)}
    )
    return _written(writer)
