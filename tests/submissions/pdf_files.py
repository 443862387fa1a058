"""Small, well-formed PDF files built byte by byte for the upload tests.

`pdf_file()` writes plain objects and, when asked, packs others into one object stream
whose data goes through any chain of the standard filters, with a cross-reference
stream pointing into it: the layout the active-content check once missed.
"""

import base64
import zlib

PAGES = {
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
}


def catalog(extra: bytes = b"") -> bytes:
    return b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>"


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def lzw_encode(data: bytes) -> bytes:
    """LZW as PDF decodes it (clear code first, then EOD), for inputs short enough that
    the table never outgrows 9-bit codes, which is all the tests need."""
    table = {bytes([i]): i for i in range(256)}
    codes, word = [256], b""
    for value in data:
        candidate = word + bytes([value])
        if candidate in table:
            word = candidate
            continue
        codes.append(table[word])
        table[candidate] = 258 + len(table) - 256
        word = bytes([value])
    codes += [table[word], 257]
    assert len(table) - 256 + 258 < 511, "input too long for 9-bit codes"
    bits = "".join(f"{code:09b}" for code in codes)
    bits += "0" * (-len(bits) % 8)
    return bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))


def run_length_encode(data: bytes) -> bytes:
    out = bytearray()
    for start in range(0, len(data), 128):
        chunk = data[start : start + 128]
        out += bytes([len(chunk) - 1]) + chunk
    return bytes(out + b"\x80")


ENCODERS = {
    "/FlateDecode": zlib.compress,
    "/ASCIIHexDecode": lambda data: data.hex().upper().encode() + b">",
    "/ASCII85Decode": lambda data: base64.a85encode(data) + b"~>",
    "/LZWDecode": lzw_encode,
    "/RunLengthDecode": run_length_encode,
}


def encode(data: bytes, filters: tuple[str, ...]) -> bytes:
    # /Filter lists filters in decoding order, so encoding applies them last to first.
    for name in reversed(filters):
        data = ENCODERS[name](data)
    return data


def pdf_file(
    objects: dict[int, bytes],
    *,
    packed: dict[int, bytes] | None = None,
    filters: tuple[str, ...] = ("/FlateDecode",),
    version: bytes = b"1.7",
) -> bytes:
    """A complete PDF whose catalog is object 1. `objects` are written plainly (the page
    tree of PAGES is added unless given); `packed` objects go into an object stream."""
    objects = {**PAGES, **objects}
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    if not packed:
        size = max(offsets) + 1
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for number in range(1, size):
            out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
        return bytes(out)

    objstm = max([*objects, *packed]) + 1
    index, bodies = [], b""
    for number, body in packed.items():
        index.append(b"%d %d" % (number, len(bodies)))
        bodies += body + b"\n"
    header = b" ".join(index) + b"\n"
    data = encode(header + bodies, filters)
    filter_names = b"[" + b" ".join(name.encode() for name in filters) + b"]"
    offsets[objstm] = len(out)
    out += b"%d 0 obj\n" % objstm
    out += stream(data, b"/Type /ObjStm /N %d /First %d /Filter %s" % (len(packed), len(header), filter_names))
    out += b"\nendobj\n"

    xref_number = objstm + 1
    size = xref_number + 1
    offsets[xref_number] = len(out)
    rows = bytearray(b"\x00\x00\x00\x00\x00\xff\xff")
    packed_index = {number: i for i, number in enumerate(packed)}
    for number in range(1, size):
        if number in packed_index:
            rows += b"\x02" + objstm.to_bytes(4, "big") + packed_index[number].to_bytes(2, "big")
        elif number in offsets:
            rows += b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00"
        else:
            rows += b"\x00\x00\x00\x00\x00\xff\xff"
    out += b"%d 0 obj\n" % xref_number
    out += stream(bytes(rows), b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % size)
    out += b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


def minimal_pdf() -> bytes:
    return pdf_file({1: catalog()})
