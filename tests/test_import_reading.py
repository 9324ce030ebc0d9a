"""Reading a file for import: only regular files, never more bytes than the limit, clean text.

What reaches the parser is decided here: a FIFO, a device, a socket, a directory or a link
out of the file's directory is refused before a byte is read; control characters refuse
the file, with the line and the character named; invisible formatting characters are kept
and reported, one anomaly for each kind of character.
"""

from __future__ import annotations

import os
import socket
import stat

import pytest

from archive import importer
from archive.importer import ImportFormatError, read_source_file, reading
from archive.importer.reading import check_characters, decode

ARTICLE = "Harbour strikes\n\nThe strikes closed every harbour.[1] The port stayed shut.\n"


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "harbour.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- what is read


def test_a_regular_file_is_read_whole(article):
    source = read_source_file(article)
    assert (source.name, source.text, source.size) == ("harbour.txt", ARTICLE, len(ARTICLE))


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(ImportFormatError) as error:
        read_source_file(fifo)
    assert str(error.value) == f"{fifo}: is a FIFO, not a regular file"


def test_a_fifo_swapped_in_after_the_check_is_opened_without_blocking_and_refused(
    tmp_path, article, monkeypatch
):
    # The check said "regular file"; by the time it is opened the path is a FIFO. Opened
    # without blocking, the descriptor is checked again and nothing is read from it.
    fifo = tmp_path / "swapped.txt"
    os.mkfifo(fifo)
    checked = os.stat(article)
    monkeypatch.setattr(reading, "_regular_file", lambda path: (fifo, checked))
    with pytest.raises(ImportFormatError, match=r"swapped\.txt: was replaced while it was being"):
        read_source_file(fifo)


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero", "/dev/urandom"])
def test_a_character_device_is_refused(device):
    with pytest.raises(ImportFormatError) as error:
        read_source_file(device)
    assert str(error.value) == f"{device}: is a character device, not a regular file"


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(ImportFormatError) as error:
        read_source_file(tmp_path)
    assert str(error.value) == f"{tmp_path}: is a directory, not a regular file"


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(ImportFormatError) as error:
            read_source_file(path)
    finally:
        server.close()
    assert str(error.value) == f"{path}: is a socket, not a regular file"


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ImportFormatError) as error:
        read_source_file(tmp_path / "nope.txt")
    assert str(error.value) == f"{tmp_path / 'nope.txt'}: no such file"


def test_an_unreadable_file_says_why(article):
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their permissions")
    article.chmod(0)
    with pytest.raises(ImportFormatError, match=r"harbour\.txt: cannot be read: Permission denied"):
        read_source_file(article)


# --------------------------------------------------------------------------- links


def test_a_link_to_a_file_beside_it_is_followed(tmp_path, article):
    link = tmp_path / "latest.txt"
    link.symlink_to(article.name)
    source = read_source_file(link)
    assert source.text == ARTICLE and source.name == "latest.txt"


def test_a_link_to_a_file_in_a_subdirectory_is_followed(tmp_path):
    (tmp_path / "versions").mkdir()
    (tmp_path / "versions" / "v2.txt").write_text(ARTICLE, encoding="utf-8")
    link = tmp_path / "latest.txt"
    link.symlink_to("versions/v2.txt")
    assert read_source_file(link).text == ARTICLE


def test_a_link_out_of_its_directory_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_text(ARTICLE, encoding="utf-8")
    here = tmp_path / "imports"
    here.mkdir()
    link = here / "article.txt"
    link.symlink_to("../elsewhere/secret.txt")
    with pytest.raises(ImportFormatError) as error:
        read_source_file(link)
    assert str(error.value) == (
        f"{link}: is a symbolic link to {elsewhere / 'secret.txt'}, outside {here}; only "
        "links to files in the same directory are followed"
    )


def test_a_link_to_a_device_is_refused(tmp_path):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(ImportFormatError, match=r"zero\.txt: is a symbolic link to /dev/zero, "):
        read_source_file(link)


def test_a_link_to_a_fifo_beside_it_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    link = tmp_path / "article.txt"
    link.symlink_to("pipe")
    with pytest.raises(ImportFormatError) as error:
        read_source_file(link)
    assert str(error.value) == (
        f"{link}: is a symbolic link to {tmp_path / 'pipe'}, a FIFO, not a regular file"
    )


def test_a_dangling_link_is_refused(tmp_path):
    link = tmp_path / "article.txt"
    link.symlink_to("gone.txt")
    with pytest.raises(ImportFormatError, match=r"is a symbolic link to .*gone\.txt"):
        read_source_file(link)


# --------------------------------------------------------------------------- bounded reads


@pytest.fixture
def bytes_read(monkeypatch):
    """How many bytes ``read_source_file`` asks the operating system for, in all."""
    counted = {"bytes": 0}
    real_read = os.read

    def read(descriptor, size):
        chunk = real_read(descriptor, size)
        counted["bytes"] += len(chunk)
        return chunk

    monkeypatch.setattr(reading.os, "read", read)
    return counted


def lie_about_size(monkeypatch, path, size: int) -> None:
    """Make stat and fstat report ``size`` for ``path``, as for a file that grows later."""
    inode = os.stat(path).st_ino
    real_stat, real_fstat = os.stat, os.fstat

    def smaller(result):
        if result.st_ino != inode:
            return result
        fields = list(result[:10])
        fields[stat.ST_SIZE] = size
        return os.stat_result(fields)

    monkeypatch.setattr(reading.os, "stat", lambda *a, **k: smaller(real_stat(*a, **k)))
    monkeypatch.setattr(reading.os, "fstat", lambda *a, **k: smaller(real_fstat(*a, **k)))


def test_a_file_over_the_limit_is_refused_before_a_byte_is_read(tmp_path, bytes_read):
    path = tmp_path / "big.txt"
    path.write_text("Title\n\n" + "Words. " * 1000)
    with pytest.raises(ImportFormatError, match=r"^big\.txt: file is 7,007 bytes; .* 1,000$"):
        read_source_file(path, max_bytes=1000)
    assert bytes_read["bytes"] == 0


def test_a_file_larger_than_it_said_is_read_only_up_to_the_limit(tmp_path, monkeypatch, bytes_read):
    # A file that grows while it is imported (or a file system that misreports sizes) is
    # never read to its end: one byte past the limit is enough to refuse it.
    path = tmp_path / "growing.txt"
    path.write_text("Title\n\n" + "Words. " * 100_000)
    lie_about_size(monkeypatch, path, 10)
    with pytest.raises(ImportFormatError) as error:
        read_source_file(path, max_bytes=1000)
    assert str(error.value) == (
        "growing.txt: file is more than 1,000 bytes; the importer accepts at most 1,000"
    )
    assert bytes_read["bytes"] == 1001


def test_a_file_exactly_at_the_limit_is_read(tmp_path):
    path = tmp_path / "exact.txt"
    path.write_bytes(b"Title\n\n" + b"x" * 93)
    assert read_source_file(path, max_bytes=100).size == 100


# --------------------------------------------------------------------------- characters


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Title\n\nText \x01 here.\n", "ctl.txt:3: contains control character U+0001 (SOH)"),
        ("Title\n\nA page\x0cbreak.\n", "ctl.txt:3: contains control character U+000C (FF)"),
        ("Title\n\nA vertical\x0btab.\n", "ctl.txt:3: contains control character U+000B (VT)"),
        ("Title\n\nAn escape \x1b[0m.\n", "ctl.txt:3: contains control character U+001B (ESC)"),
        ("Title\n\nRub\x7fout.\n", "ctl.txt:3: contains control character U+007F (DEL)"),
        ("Title\n\nText\x00more\n", "ctl.txt:3: contains NUL bytes: a binary file, not text"),
        ("Title\r\rText \x02 here.\r", "ctl.txt:3: contains control character U+0002 (STX)"),
    ],
)
def test_control_characters_are_refused_with_their_line_and_code(text, message):
    with pytest.raises(ImportFormatError) as error:
        check_characters(importer.normalize(text), "ctl.txt")
    assert str(error.value).startswith(message)
    with pytest.raises(ImportFormatError) as error:
        decode(text.encode("utf-8"), "ctl.txt")
    assert str(error.value).startswith(message)


def test_a_c1_control_is_refused_with_what_it_probably_was():
    # "…" in Windows-1252 is byte 0x85; read as Latin-1 and written as UTF-8 it becomes U+0085.
    data = "Title\n\nThe war ended\u0085 and then peace.\n".encode()
    with pytest.raises(ImportFormatError) as error:
        decode(data, "cp1252.txt")
    assert str(error.value) == (
        "cp1252.txt:3: contains C1 control character U+0085, which text does not have; in "
        "Windows-1252 byte 0x85 is '…', so the file was probably converted to UTF-8 as if "
        "it were Latin-1"
    )


def test_a_c1_control_without_a_windows_1252_meaning_is_still_named():
    with pytest.raises(ImportFormatError) as error:
        decode("Title\n\nOdd \u0081 byte.\n".encode(), "odd.txt")
    assert (
        str(error.value)
        == "odd.txt:3: contains C1 control character U+0081, which text does not have"
    )


def test_read_source_file_refuses_controls_as_decode_does(tmp_path):
    path = tmp_path / "nel.txt"
    path.write_bytes("Title\n\nLine one.\n\nA next\u0085line.\n".encode())
    with pytest.raises(
        ImportFormatError, match=r"^nel\.txt:5: contains C1 control character U\+0085"
    ):
        read_source_file(path)


def test_whichever_comes_first_a_control_or_a_bad_byte_is_reported():
    with pytest.raises(ImportFormatError, match=r"^f\.txt:1: contains control character U\+0007"):
        decode(b"Title\x07\n\nCaf\xe9.\n", "f.txt")
    with pytest.raises(ImportFormatError, match=r"^f\.txt:3: is not valid UTF-8 \(byte 0xe9"):
        decode(b"Title\n\nCaf\xe9.\n\nBell\x07.\n", "f.txt")


def test_tabs_newlines_and_line_endings_are_text():
    text = decode(b"Title\r\n\r\nA\ttabbed line.\rAnother.\n", "ok.txt")
    assert text == "Title\n\nA\ttabbed line.\nAnother.\n"
    assert check_characters(text, "ok.txt") == []


def test_zero_width_characters_are_kept_and_reported_once_per_kind():
    lines = ["Title", ""] + [f"Line {n}." for n in range(3, 20)]
    lines[11] = "Line\u200b twelve\u200b has\u200b three."
    lines[14] = "Line fifteen has a joiner\u200d and a zero-width space\u200b."
    text = "\n".join(lines) + "\n"
    anomalies = check_characters(text, "zw.txt")
    assert [(a.kind, a.line, a.message) for a in anomalies] == [
        ("zero_width_character", 12, "4 zero-width spaces (U+200B), first at line 12"),
        ("zero_width_character", 15, "1 zero-width joiner (U+200D), first at line 15"),
    ]


def test_bidi_controls_are_kept_and_reported_once_per_kind():
    text = (
        "Title\n\nAn \u202eoverride\u202c here.\n\nAnother \u202eoverride\u202c.\n\n"
        "An \u2067isolate\u2069 too.\n"
    )
    messages = {(a.kind, a.message) for a in check_characters(text, "bidi.txt")}
    assert messages == {
        ("bidi_control", "2 right-to-left overrides (U+202E), first at line 3"),
        ("bidi_control", "2 pop directional formattings (U+202C), first at line 3"),
        ("bidi_control", "1 right-to-left isolate (U+2067), first at line 7"),
        ("bidi_control", "1 pop directional isolate (U+2069), first at line 7"),
    }


def test_a_byte_order_mark_inside_the_text_is_reported_but_not_the_leading_one():
    data = b"\xef\xbb\xbfTitle\n\nText.\n\nJoined\xef\xbb\xbfhere.\n"
    text = decode(data, "bom.txt")
    assert text.startswith("Title") and "Joined\ufeffhere." in text
    (anomaly,) = check_characters(text, "bom.txt")
    assert anomaly.message == (
        "1 zero-width no-break space (byte-order mark) (U+FEFF), first at line 5"
    )


def test_the_parser_reports_invisible_characters_among_its_anomalies():
    document = importer.parse("Title\n\nA word\u200bjoined sentence.\n", "zw.txt")
    assert ("zero_width_character", 3) in {(a.kind, a.line) for a in document.anomalies}
    claims = [claim.text for claim in document.claims]
    assert any("\u200b" in text for text in claims)  # kept as written


def test_the_parser_refuses_control_characters():
    with pytest.raises(
        ImportFormatError, match=r"^p\.txt:3: contains C1 control character U\+0096"
    ):
        importer.parse("Title\n\nA dash \u0096 here.\n", "p.txt")
