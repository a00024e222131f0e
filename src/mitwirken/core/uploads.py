"""Uploads are checked by their content, never by their name, and images are re-encoded."""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

# A photo needs no more than this (a 12-megapixel phone photo is well inside). Images are decoded into memory
# at 3-4 bytes per pixel, so this also bounds the memory one image can take (about 100 MB). Pillow warns above
# MAX_IMAGE_PIXELS and raises above twice that; we turn the warning into an error too (see _open_image).
MAX_IMAGE_PIXELS = 25_000_000
# All images of one request together (several photos of a report, several attachments of a statement).
MAX_REQUEST_PIXELS = 60_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

# Office documents are zip containers: bound what they unpack to, so a zip bomb is refused before anyone opens it.
MAX_ZIP_UNCOMPRESSED = 300 * 1024 * 1024
MAX_ZIP_RATIO = 100  # real office files compress by 2-20x; bombs by thousands
MAX_ZIP_ENTRIES = 10_000
ZIP_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}

IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}

# Content types accepted as attachments, keyed by what the bytes say they are.
ATTACHMENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}


@dataclass(frozen=True)
class CheckedFile:
    content: ContentFile
    content_type: str


def check_size(upload: UploadedFile, limit: int) -> None:
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("Die Datei ist zu groß (%(size)s). Erlaubt sind höchstens %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )


def _too_many_pixels(pixels: int | None, limit: int) -> ValidationError:
    # Above twice the limit Pillow refuses even to read the header's size: then say "mehr als".
    size = (
        f"{pixels / 1_000_000:.1f}".replace(".", ",") if pixels else _("mehr als %(n)s") % {"n": 2 * limit // 1_000_000}
    )
    return ValidationError(
        _(
            "Das Bild ist zu groß (%(mp)s Megapixel). Erlaubt sind höchstens %(limit)s Megapixel; "
            "bitte verkleinern Sie es vor dem Hochladen."
        )
        % {"mp": size, "limit": limit // 1_000_000}
    )


def image_pixels(upload: UploadedFile) -> int | None:
    """Width × height as the image's header declares it, without decoding a single pixel (None: no image)."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:  # lazy: reads the header only
                return int(probe.width) * int(probe.height)
    except Image.DecompressionBombError:
        return 2 * MAX_IMAGE_PIXELS + 1  # Pillow refuses to go on above twice its limit
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)


def check_pixel_budget(uploads: Iterable[UploadedFile], *, limit: int = MAX_REQUEST_PIXELS) -> None:
    """Refuse a request whose images would decode to more than ``limit`` pixels together, before decoding any."""
    total = 0
    for upload in uploads:
        pixels = image_pixels(upload) or 0
        if pixels > MAX_IMAGE_PIXELS:
            shown = pixels if pixels <= 2 * MAX_IMAGE_PIXELS else None
            raise ValidationError(f"{upload.name}: {_too_many_pixels(shown, MAX_IMAGE_PIXELS).messages[0]}")
        total += pixels
    if total > limit:
        raise ValidationError(
            _("Die Bilder sind zusammen zu groß (%(mp)s Megapixel, erlaubt sind %(limit)s). Bitte verkleinern Sie sie.")
            % {"mp": f"{total / 1_000_000:.1f}".replace(".", ","), "limit": limit // 1_000_000}
        )


def reencode_image(upload: UploadedFile, *, max_bytes: int | None = None) -> CheckedFile:
    """Decode, orient and re-encode an image. This drops EXIF (including GPS) and any payload.

    The size is checked from the header before decoding, so a small file that would decode into gigabytes
    (a decompression bomb) is refused without being decoded.
    """
    check_size(upload, max_bytes or settings.MITWIRKEN_MAX_IMAGE_BYTES)
    upload.seek(0)
    unreadable = ValidationError(_("Die Datei ist kein lesbares Bild. Erlaubt sind JPEG, PNG oder WebP."))
    try:
        with warnings.catch_warnings():
            # The header is read lazily and checked by us; while decoding, Pillow's warning is an error.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                pixels = int(probe.width) * int(probe.height)
                if pixels > MAX_IMAGE_PIXELS:
                    raise _too_many_pixels(pixels, MAX_IMAGE_PIXELS)
                # Animated images would be re-encoded as their first frame only; frames add decoding work.
                if getattr(probe, "n_frames", 1) > 1:
                    raise ValidationError(_("Animierte Bilder sind nicht erlaubt."))
                probe.verify()
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as opened:
                source_format = opened.format or ""
                if source_format not in IMAGE_FORMATS:
                    raise ValidationError(_("Erlaubt sind Bilder im Format JPEG, PNG oder WebP."))
                image: Image.Image = ImageOps.exif_transpose(opened)  # a copy, so its info may be replaced
                # Pillow writes comments, ICC profiles and XMP from ``info`` back out: keep only what the pixels need.
                image.info = {key: value for key, value in image.info.items() if key == "transparency"}
                if source_format == "JPEG" and image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                output = io.BytesIO()
                image.save(output, format=source_format, **({"quality": 88} if source_format == "JPEG" else {}))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(None, MAX_IMAGE_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise unreadable from None
    content_type, extension = IMAGE_FORMATS[source_format]
    base = safe_filename((upload.name or "bild").rsplit(".", 1)[0], default="bild")[:80]
    return CheckedFile(ContentFile(output.getvalue(), name=f"{base}.{extension}"), content_type)


def image_gps(upload: UploadedFile) -> tuple[float, float] | None:
    """The (lon, lat) a camera wrote into a photo's EXIF, read before re-encoding throws it away."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as opened:  # the header and EXIF only; no pixel is decoded
                gps = opened.getexif().get_ifd(0x8825)  # GPSInfo
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    try:
        lat = _degrees(gps[2]) * (-1 if gps.get(1) == "S" else 1)
        lon = _degrees(gps[4]) * (-1 if gps.get(3) == "W" else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or (lon == 0 and lat == 0):
        return None
    return round(lon, 6), round(lat, 6)


def _degrees(value: tuple[float, float, float]) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    return degrees + minutes / 60 + seconds / 3600


def check_attachment(upload: UploadedFile, *, max_bytes: int | None = None) -> CheckedFile:
    """Accept PDFs, images and office documents by their bytes; images are re-encoded."""
    check_size(upload, max_bytes or settings.MITWIRKEN_MAX_ATTACHMENT_BYTES)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime in ("image/jpeg", "image/png"):
        return reencode_image(upload, max_bytes=max_bytes or settings.MITWIRKEN_MAX_ATTACHMENT_BYTES)
    if mime not in ATTACHMENT_TYPES:
        raise ValidationError(
            _(
                "Dieser Dateityp ist nicht erlaubt. Erlaubt sind PDF, JPEG, PNG, Word/Excel (DOCX/XLSX) und OpenDocument (ODT/ODS)."
            )
        )
    check_content(upload, mime)
    base = safe_filename((upload.name or "datei").rsplit(".", 1)[0], default="datei")[:80]
    upload.seek(0)
    return CheckedFile(ContentFile(upload.read(), name=f"{base}.{ATTACHMENT_TYPES[mime]}"), mime)


VIDEO_TYPES = {"video/mp4": "mp4", "video/webm": "webm"}
DEFAULT_MAX_VIDEO_BYTES = 300 * 1024 * 1024
MAX_CAPTION_BYTES = 1024 * 1024


def check_video(upload: UploadedFile, *, max_bytes: int | None = None) -> CheckedFile:
    """Accept MP4 and WebM videos by their bytes; they are stored as they are, under a safe name."""
    limit = max_bytes if max_bytes else int(getattr(settings, "MITWIRKEN_MAX_VIDEO_BYTES", DEFAULT_MAX_VIDEO_BYTES))
    check_size(upload, limit)
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    mime = kind.mime if kind else ""
    if mime not in VIDEO_TYPES:
        raise ValidationError(
            _("Dieser Dateityp ist nicht erlaubt. Bitte laden Sie ein Video im Format MP4 oder WebM hoch.")
        )
    base = safe_filename((upload.name or "video").rsplit(".", 1)[0], default="video")[:80]
    return CheckedFile(File(upload, name=f"{base}.{VIDEO_TYPES[mime]}"), mime)  # type: ignore[arg-type]


def check_captions(upload: UploadedFile) -> CheckedFile:
    """A WebVTT caption file: UTF-8 text that starts with the WEBVTT signature."""
    check_size(upload, MAX_CAPTION_BYTES)
    upload.seek(0)
    data = upload.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    if not re.match(r"WEBVTT(?:[ \t].*)?(?:\r?\n|$)", text) or "\x00" in text:
        raise ValidationError(
            _("Die Untertitel müssen eine WebVTT-Datei in UTF-8 sein (die erste Zeile lautet „WEBVTT“).")
        )
    base = safe_filename((upload.name or "untertitel").rsplit(".", 1)[0], default="untertitel")[:80]
    return CheckedFile(ContentFile(text.encode("utf-8"), name=f"{base}.vtt"), "text/vtt")


def check_content(upload: UploadedFile, mime: str) -> None:
    """Type-specific checks of a file that is stored as it is: active content in PDFs, zip bombs in office files."""
    upload.seek(0)
    try:
        if mime == "application/pdf":
            check_pdf(upload)
        elif mime in ZIP_TYPES:
            check_zip(upload)
    finally:
        upload.seek(0)


# PDF names that make a reader run code, start programs or carry other files. A light-weight scan of the bytes
# (see docs/architecture.md): names are normalised (#xx escapes), and object streams, where dictionaries may
# hide compressed, are inflated under a bound and scanned too.
PDF_ACTIVE_NAMES = {
    b"JavaScript": "JavaScript",
    b"JS": "JavaScript",
    b"Launch": gettext_lazy("Programmstart"),
    b"EmbeddedFile": gettext_lazy("eingebettete Dateien"),
    b"EmbeddedFiles": gettext_lazy("eingebettete Dateien"),
    b"AA": gettext_lazy("automatische Aktionen"),
    b"RichMedia": gettext_lazy("Multimedia-Inhalte"),
}
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]{1,127})")
_PDF_STREAM = re.compile(rb"stream\r?\n")
PDF_CHUNK = 1024 * 1024
PDF_OVERLAP = 256
MAX_PDF_INFLATED = 64 * 1024 * 1024  # all object streams of one file together


def _pdf_names(data: bytes) -> Iterator[tuple[int, bytes]]:
    for match in _PDF_NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda hexed: bytes([int(hexed.group(1), 16)]), name)
        yield match.start(), name


def _pdf_refused(label: object) -> ValidationError:
    return ValidationError(
        _(
            "Die PDF-Datei enthält aktive Inhalte (%(what)s) und wird deshalb nicht angenommen. Bitte speichern Sie "
            "sie ohne Skripte, Aktionen und eingebettete Dateien (z. B. „Als PDF drucken“) und laden Sie sie erneut hoch."
        )
        % {"what": label}
    )


def check_pdf(upload: IO[bytes] | UploadedFile) -> None:
    """Refuse a PDF with JavaScript, launch actions, automatic actions or embedded files."""
    upload.seek(0)
    object_streams: list[int] = []
    encrypted = False
    offset = 0
    tail = b""
    while True:
        chunk = upload.read(PDF_CHUNK)
        data = tail + chunk
        final = not chunk
        base = offset - len(tail)
        for position, name in _pdf_names(data):
            # A name touching the end of a window may be cut off ("/JSON" → "/JS"); the next window sees it whole.
            if not final and position + 1 + len(name) >= len(data):
                continue
            if name in PDF_ACTIVE_NAMES:
                raise _pdf_refused(PDF_ACTIVE_NAMES[name])
            if name == b"ObjStm" and base + position not in object_streams:
                object_streams.append(base + position)
            if name == b"Encrypt":
                encrypted = True
        if final:
            break
        offset += len(chunk)
        tail = data[-PDF_OVERLAP:]
    if object_streams and encrypted:
        raise ValidationError(
            _(
                "Diese PDF-Datei ist verschlüsselt und kann deshalb nicht auf aktive Inhalte geprüft werden. "
                "Bitte speichern Sie sie ohne Kennwortschutz und laden Sie sie erneut hoch."
            )
        )
    inflated_total = 0
    for position in object_streams:
        upload.seek(position)
        head = upload.read(4096)
        found = _PDF_STREAM.search(head)
        if found is None:
            continue
        upload.seek(position + found.end())
        inflater = zlib.decompressobj()
        scanned_tail = b""
        while not inflater.eof:
            raw = upload.read(64 * 1024)
            if not raw:
                break
            try:
                # max_length bounds each step; what is left in unconsumed_tail is fed again.
                piece = inflater.decompress(raw, 4 * 1024 * 1024)
                while inflater.unconsumed_tail and inflated_total + len(piece) <= MAX_PDF_INFLATED:
                    piece += inflater.decompress(inflater.unconsumed_tail, 4 * 1024 * 1024)
            except zlib.error:
                raise ValidationError(
                    _("Die PDF-Datei ist beschädigt oder enthält Bereiche, die nicht geprüft werden können.")
                ) from None
            inflated_total += len(piece)
            if inflated_total > MAX_PDF_INFLATED:
                raise ValidationError(_("Die PDF-Datei enthält ungewöhnlich stark komprimierte Bereiche."))
            window = scanned_tail + piece
            for _position, name in _pdf_names(window):
                if name in PDF_ACTIVE_NAMES:
                    raise _pdf_refused(PDF_ACTIVE_NAMES[name])
            scanned_tail = window[-PDF_OVERLAP:]
    upload.seek(0)


def check_zip(upload: IO[bytes] | UploadedFile) -> None:
    """Refuse office files (zip containers) that unpack to far more than they weigh: zip bombs."""
    broken = ValidationError(_("Das Office-Dokument ist beschädigt und kann nicht geprüft werden."))
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise _zip_bomb()
            declared = sum(entry.file_size for entry in entries)
            compressed = sum(entry.compress_size for entry in entries)
            if declared > MAX_ZIP_UNCOMPRESSED or declared > MAX_ZIP_RATIO * max(compressed, 1024 * 1024):
                raise _zip_bomb()
            # The sizes in the directory may lie: unpack in chunks and count, bounded by the same limits.
            unpacked = 0
            for entry in entries:
                with archive.open(entry) as member:
                    while piece := member.read(1024 * 1024):
                        unpacked += len(piece)
                        if unpacked > MAX_ZIP_UNCOMPRESSED:
                            raise _zip_bomb()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, RuntimeError, ValueError):
        raise broken from None
    finally:
        upload.seek(0)


def _zip_bomb() -> ValidationError:
    return ValidationError(
        _(
            "Das Office-Dokument entpackt sich zu einer ungewöhnlich großen Datenmenge (mehr als %(limit)s) "
            "und wird deshalb nicht angenommen."
        )
        % {"limit": filesizeformat(MAX_ZIP_UNCOMPRESSED)}
    )


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:*?\"<>|]+")


def safe_filename(name: str, *, default: str = "datei") -> str:
    """A file name for storage or download: separators and control characters become "_", nothing is cut off.

    "Plan 1/2" stays "Plan 1_2" (a plain basename would give "2"); "../../etc/passwd" becomes ".._.._etc_passwd".
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cf", "Co", "Cs"))  # bidi overrides etc.
    name = _UNSAFE_NAME.sub("_", name).strip(" ._")
    return name[:150] or default


@contextmanager
def files_removed_on_failure() -> Iterator[list[FieldFile]]:
    """Collect files written inside a transaction; if the block fails, delete them again.

    A rollback undoes the rows but not the files in the storage, which would otherwise be orphans.
    """
    written: list[FieldFile] = []
    try:
        yield written
    except BaseException:
        for stored in written:
            if stored.name:
                stored.storage.delete(stored.name)
        raise


@dataclass(frozen=True)
class StoredUpload:
    """A large upload accepted as it is: checked by its first bytes, hashed while it is read."""

    upload: File
    content_type: str
    extension: str
    sha256: str
    size: int


def check_document(upload: UploadedFile, *, max_bytes: int) -> StoredUpload:
    """For plan documents of hundreds of MB: nothing is held in memory, nothing is re-encoded."""
    import hashlib

    check_size(upload, max_bytes)
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    mime = kind.mime if kind else ""
    if mime not in ATTACHMENT_TYPES:
        raise ValidationError(
            _(
                "Dieser Dateityp ist nicht erlaubt. Erlaubt sind PDF, JPEG, PNG, Word/Excel (DOCX/XLSX) und OpenDocument (ODT/ODS)."
            )
        )
    if mime.startswith("image/"):
        # Images are small enough to re-encode: that drops EXIF (GPS) and refuses decompression bombs.
        checked = reencode_image(upload, max_bytes=max_bytes)
        return _stored_from_content(checked)
    check_content(upload, mime)
    upload.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return StoredUpload(upload, mime, ATTACHMENT_TYPES[mime], digest.hexdigest(), size)


def _stored_from_content(checked: CheckedFile) -> StoredUpload:
    import hashlib

    data = checked.content.read()
    checked.content.seek(0)
    extension = checked.content.name.rsplit(".", 1)[-1] if checked.content.name else "bin"
    return StoredUpload(checked.content, checked.content_type, extension, hashlib.sha256(data).hexdigest(), len(data))


def image_content_type(name: str) -> str:
    """Images are stored re-encoded under the extension of their real format."""
    extension = name.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(extension, "application/octet-stream")


def attachment_disposition(name: str) -> str:
    """A Content-Disposition for a download built in memory: safe name, RFC 6266 filename* where needed."""
    from django.utils.http import content_disposition_header

    return content_disposition_header(True, safe_filename(name)) or "attachment"


def serve_upload(field_file: FieldFile, content_type: str, *, download_name: str, inline: bool) -> HttpResponseBase:
    """Stream an upload after the caller checked access. Media are never served without such a check.

    Behind nginx (``MITWIRKEN_ACCEL_REDIRECT``) the portal only says which file, and nginx sends it from an
    internal location that no client can request itself (deploy/cluster/nginx.conf): a gunicorn worker is not
    held for minutes by a large plan document on a slow line.
    """
    # FileResponse keeps only the basename and writes an RFC 6266 filename* for non-ASCII names.
    name = safe_filename(download_name)
    if getattr(settings, "MITWIRKEN_ACCEL_REDIRECT", False):
        response: HttpResponseBase = _accel_redirect(field_file, content_type, name, inline)
    else:
        try:
            opened = field_file.open("rb")
        except OSError:  # a file lost from the storage is "not found", not a server error
            raise Http404 from None
        response = FileResponse(opened, content_type=content_type, as_attachment=not inline, filename=name)
    # Files are user uploads: never sniff, never run scripts, never embed elsewhere.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


ACCEL_MEDIA = "/_protected/media/"
ACCEL_S3 = "/_protected/s3"
ACCEL_URL_SECONDS = 60  # the presigned URL is used by nginx at once; it never reaches the client


def _accel_redirect(field_file: FieldFile, content_type: str, name: str, inline: bool) -> HttpResponse:
    from urllib.parse import quote, urlsplit

    from django.utils.http import content_disposition_header

    disposition = content_disposition_header(not inline, name) or "attachment"
    storage, stored_name = field_file.storage, field_file.name or ""
    if hasattr(storage, "bucket_name"):  # S3: the object storage answers with the headers signed into the URL
        parameters = {"ResponseContentType": content_type, "ResponseContentDisposition": disposition}
        url = urlsplit(storage.url(stored_name, parameters=parameters, expire=ACCEL_URL_SECONDS))  # type: ignore[call-arg]
        target = f"{ACCEL_S3}{url.path}?{url.query}"
    else:
        if not stored_name or not storage.exists(stored_name):
            raise Http404
        target = ACCEL_MEDIA + quote(stored_name)
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = target
    response["Content-Disposition"] = disposition
    return response
