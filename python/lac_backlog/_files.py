"""Files the program reads and writes, safely: settings and key files read with a size bound and
without echoing their content, text files in UTF-8 or Windows-1252, and temporary files made
exclusively (never through a planted link) under a recognisable name (docs/bad-input.md)."""

from __future__ import annotations

import os
import tempfile

__all__ = [
    "MAX_KEY_FILE_BYTES",
    "MAX_SETTINGS_BYTES",
    "TEMP_PREFIX",
    "FileProblem",
    "decode_text",
    "make_temp",
    "read_bounded",
    "same_file",
]

#: How every temporary file this package (and its Rust core) makes begins: hidden, and
#: recognisable, so one left by a killed run can be found and removed.
TEMP_PREFIX = ".lac-backlog-tmp-"
#: Policy, scenario, closures and override files are a few kB; anything bigger is the wrong file.
MAX_SETTINGS_BYTES = 1 << 20
#: A key is tens of bytes.
MAX_KEY_FILE_BYTES = 4096


class FileProblem(ValueError):
    """A file that cannot be used: too big, or not text. The message names the file, never its
    content."""


def read_bounded(path: str | os.PathLike[str], what: str, limit: int = MAX_SETTINGS_BYTES) -> bytes:
    """A file's bytes, refused (FileProblem) when it holds more than ``limit`` (so /dev/zero or
    a data file given by mistake cannot exhaust memory)."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise FileProblem(f"{what} {os.fspath(path)} is larger than {limit:,} bytes: is it the right file?")
    return data


def decode_text(data: bytes) -> str:
    """Text from UTF-8 (with or without a byte order mark), else Windows-1252, the encoding Excel
    on Windows saves CSV in (as the Rust readers do)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def make_temp(target: str) -> str:
    """A new empty temporary file beside ``target`` (same folder, so a rename is atomic),
    created exclusively with a random name and readable by the owner only."""
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=folder)
    os.close(fd)
    return tmp


def same_file(a: str, b: str) -> bool:
    """Whether two paths name the same file: the same resolved path (links followed), or the
    same device and inode when both exist (hard links, bind mounts, case-insensitive names)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
