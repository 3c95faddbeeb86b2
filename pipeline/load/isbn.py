"""ISBNs checked where book.yaml is read: every build and ``press check`` reject a wrong check
digit at its line, not only the cover whose barcode would carry it.

The check-digit arithmetic lives here, in the load stage, so that the cover (``prepress``) reads
the same answer the loader gave.
"""

from __future__ import annotations


def isbn13(text: str) -> str | None:
    """The 13 digits of an ISBN-13, or of an ISBN-10 turned into one; None when it is not an ISBN
    (not 10 or 13 digits, a 13-digit number outside the book prefixes 978 and 979, a wrong check digit)."""
    return _read(text)[0]


def isbn_problem(text: str) -> str | None:
    """Why ``text`` is not an ISBN, in words for E130; None when it is one."""
    return _read(text)[1]


def _read(text: str) -> tuple[str | None, str | None]:
    # hyphens and spaces group the digits; an ISBN-10 may end in X (ten)
    digits = "".join(c for c in text.upper() if c.isdigit() or c == "X")
    stray = [c for c in text.strip() if not (c.isdigit() or c in "xX- ")]
    if stray:
        return None, f"it holds '{stray[0]}', which no ISBN has"
    if "X" in digits[:-1] or ("X" in digits and len(digits) != 10):
        return None, "X stands only as the last digit of an ISBN-10"
    if len(digits) == 10:
        check = sum((10 - i) * int(d) for i, d in enumerate(digits[:9]))
        expected = (11 - check % 11) % 11
        if digits[9] != ("X" if expected == 10 else str(expected)):
            return None, "its check digit is wrong"
        thirteen = "978" + digits[:9]
        return thirteen + ean_check_digit(thirteen), None
    if len(digits) == 13 and digits.isdigit():
        if digits[:3] not in ("978", "979"):
            return None, "an ISBN-13 begins with 978 or 979"
        if ean_check_digit(digits[:12]) != digits[12]:
            return None, "its check digit is wrong"
        return digits, None
    return None, f"it has {len(digits)} digits, an ISBN 13 (or 10)"


def ean_check_digit(twelve: str) -> str:
    """The EAN-13 check digit of twelve digits (weights 1 and 3 in turn)."""
    return str((10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve)) % 10) % 10)
