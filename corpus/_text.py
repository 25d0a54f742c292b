"""Decoding files into text, with clear reports for what is not UTF-8 text; date parsing."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from .errors import InputError

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}


def decode(data: bytes, where: str) -> str:
    """Decode UTF-8 bytes (a BOM is allowed) or raise :class:`InputError` saying why not."""
    if not data.strip():
        raise InputError(f"{where}: the file is empty; expected article text. Remove it or fill it in.")
    nul = data.find(b"\x00", 0, 8192)
    if nul >= 0:
        raise InputError(
            f"{where}: binary file (NUL byte at offset {nul}); expected UTF-8 text "
            f"(.txt seed articles, .jsonl, .csv or .html). Remove it from the source folder."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise InputError(
            f"{where}:{line}: invalid UTF-8 at byte {exc.start} (line {line}, column {col}: 0x{bad}); "
            f"expected UTF-8 text. Re-save the file as UTF-8 (for example: iconv -f latin1 -t utf-8)."
        ) from None


def check_utf8_file(path, where: str, error: type[InputError] = InputError, chunk: int = 1 << 20) -> None:
    """Raise ``error`` naming the line and byte when file ``path`` is not UTF-8 text (read in chunks: a
    large export is never held in memory for this)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 0  # bytes and newlines before the current chunk
    with open(path, "rb") as fh:
        while True:
            data = fh.read(chunk)
            try:
                decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                buf = exc.object  # the bytes held back from the previous chunk, then this chunk
                held = len(buf) - len(data)
                bad = offset - held + exc.start
                line = lines - buf[:held].count(b"\n") + buf[: exc.start].count(b"\n") + 1
                raise error(
                    f"{where}, line {line}: invalid UTF-8 at byte {bad} (0x{buf[exc.start:exc.start + 1].hex()}); "
                    f"expected UTF-8 text. Export it again, or re-save it as UTF-8 (for example: iconv -f latin1 "
                    f"-t utf-8)."
                ) from None
            if not data:
                return
            offset += len(data)
            lines += data.count(b"\n")


def clean(text: str) -> str:
    """NFC, unified newlines, no trailing spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_MD = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")
_DM = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3,9})\.?(?:,?\s+(\d{4}))?$")


_URL_DATES = (
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[_ -](?P<mon>[A-Za-z]{3,9})[_ -](?P<d>\d{1,2})(?!\d)"),  # 2025_January_6
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[/_-](?P<m>\d{1,2})[/_-](?P<d>\d{1,2})(?!\d)"),       # 2025/01/06, 2025-01-06
)


def date_in_url(url: str) -> tuple[int, int, int] | None:
    """The (year, month, day) a URL's path names (``.../2025_January_6``, ``/2025/01/06/``), or None.

    News sites and Wikipedia's dated pages put the day in the URL; a dateline without a year can take
    its year from there (see :func:`complete_date`).
    """
    for rx in _URL_DATES:
        for m in rx.finditer(url or ""):
            y, d = int(m.group("y")), int(m.group("d"))
            mon = _MONTHS.get(m.group("mon").lower()) if "mon" in rx.groupindex else int(m.group("m"))
            if mon is None:
                continue
            try:
                date(y, mon, d)
            except ValueError:
                continue
            return y, mon, d
    return None


def complete_date(year: int | None, month: int | None, day: int | None, url: str) -> tuple[int | None, int | None, int | None]:
    """A dateline's (year, month, day) with a missing year taken from the URL's date when month and day agree."""
    if year is None and month is not None:
        found = date_in_url(url)
        if found is not None and found[1] == month and (day is None or found[2] == day):
            return found[0], month, day
    return year, month, day


def parse_date(text: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) from '2025-03-10', 'Jul 28', 'July 28, 2024' or '28 Jul 2024'; None where absent."""
    s = text.strip().rstrip(".")
    m = _ISO.match(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        try:
            date(y, mo, d)
        except ValueError:
            return None, None, None
        return y, mo, d
    for rx, order in ((_MD, "md"), (_DM, "dm")):
        m = rx.match(s)
        if m:
            a, b, y = m.groups()
            mon, day = (a, b) if order == "md" else (b, a)
            month = _MONTHS.get(mon.lower())
            if month is None or not 1 <= int(day) <= 31:
                return None, None, None
            return (int(y) if y else None), month, int(day)
    return None, None, None
