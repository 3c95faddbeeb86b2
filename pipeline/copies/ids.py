"""Copy ids: a keyed hash of a student's id, so that a copy names nobody to whoever finds it.

``copy_id(secret, student)`` is HMAC-SHA256 of the student's id under the press's secret, its
first 40 bits written as eight Crockford base-32 characters in two groups (``7F3K-92QD``):
Crockford's alphabet has no I, L, O or U, so an id read aloud or typed from a printout is not
misread. Without the secret nobody can tell which student an id belongs to, or make the id of
a given student; with it and the roster, ``press identify`` finds the student again.

The secret comes from a file (``--secret-file``) or the environment (``PRESS_STAMP_SECRET``),
never from the command line (where ``ps`` and shell histories would show it), and is never
written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import unicodedata
from pathlib import Path

from pipeline.diagnostics import Diagnostics
from pipeline.model import SourceLoc

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SECRET_VARIABLE = "PRESS_STAMP_SECRET"
#: Shorter secrets can be guessed by trying them against a leaked copy's id.
MIN_SECRET_BYTES = 16
#: A secret is a line or a key file, not a document.
MAX_SECRET_BYTES = 64 * 1024


def digest(secret: bytes, student_id: str) -> bytes:
    """HMAC-SHA256 of the student's id (NFC, UTF-8) under ``secret``."""
    return hmac.new(secret, unicodedata.normalize("NFC", student_id).encode("utf-8"), hashlib.sha256).digest()


def copy_id(secret: bytes, student_id: str) -> str:
    """The copy id of ``student_id``: ``XXXX-XXXX`` in Crockford base 32 (40 bits of the HMAC)."""
    return format_copy_id(digest(secret, student_id))


def format_copy_id(mac: bytes) -> str:
    """The first 40 bits of ``mac`` as eight Crockford base-32 characters, ``XXXX-XXXX``."""
    number = int.from_bytes(mac[:5], "big")
    chars = "".join(CROCKFORD[(number >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


def document_id(secret: bytes, student_id: str) -> bytes:
    """The 16 bytes a copy's PDF carries as its document id: the HMAC's first 16, so that the
    copy id can be read back from the id even when the visible stamp and the metadata are gone."""
    return digest(secret, student_id)[:16]


def read_secret(secret_file: Path | None, diags: Diagnostics) -> bytes | None:
    """The secret from ``secret_file``, else from ``PRESS_STAMP_SECRET``; E162 when neither gives one.

    A trailing line end is not part of the secret (``echo … > file`` writes one), so the file and
    the variable holding the same words give the same ids.
    """
    if secret_file is not None:
        where = SourceLoc(str(secret_file))
        try:
            fd = os.open(secret_file, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as error:
            diags.add("E162", where, f"the secret file cannot be read: {error.strerror}",
                      "give the file holding the press's stamping secret")
            return None
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                diags.add("E162", where, "the secret file is not a regular file")
                return None
            secret = file.read(MAX_SECRET_BYTES + 1)
        if len(secret) > MAX_SECRET_BYTES:
            diags.add("E162", where, f"the secret file holds more than {MAX_SECRET_BYTES // 1024} KB",
                      "a secret is one line of random characters")
            return None
        what = "the secret file"
    elif os.environ.get(SECRET_VARIABLE):
        where = SourceLoc(SECRET_VARIABLE)
        secret = os.environb[SECRET_VARIABLE.encode()] if hasattr(os, "environb") else os.environ[SECRET_VARIABLE].encode()
        what = SECRET_VARIABLE
    else:
        diags.add("E162", SourceLoc("press stamp"), "no stamping secret: copy ids are keyed by a secret the press keeps",
                  f"give --secret-file FILE or set {SECRET_VARIABLE}; make one with: "
                  "python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > stamp.secret")
        return None
    secret = secret.rstrip(b"\r\n")
    if len(secret) < MIN_SECRET_BYTES:
        diags.add("E162", where, f"{what} holds a secret of {len(secret)} bytes; press needs at least {MIN_SECRET_BYTES}",
                  "a short secret can be guessed from a leaked copy's id; make a long random one")
        return None
    return secret
