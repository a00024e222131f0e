"""Uploads are checked by their content, never by their name, and images are re-encoded."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

Image.MAX_IMAGE_PIXELS = 60_000_000  # refuse decompression bombs

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


def reencode_image(upload: UploadedFile, *, max_bytes: int | None = None) -> CheckedFile:
    """Decode, orient and re-encode an image. This drops EXIF (including GPS) and any payload."""
    check_size(upload, max_bytes or settings.MITWIRKEN_MAX_IMAGE_BYTES)
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a small file can still decode huge.
            if Image.MAX_IMAGE_PIXELS and probe.width * probe.height > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            source_format = opened.format or ""
            if source_format not in IMAGE_FORMATS:
                raise ValidationError(_("Erlaubt sind Bilder im Format JPEG, PNG oder WebP."))
            image: Image.Image = ImageOps.exif_transpose(opened)
            if source_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            output = io.BytesIO()
            image.save(output, format=source_format, **({"quality": 88} if source_format == "JPEG" else {}))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise ValidationError(_("Die Datei ist kein lesbares Bild. Erlaubt sind JPEG, PNG oder WebP.")) from None
    content_type, extension = IMAGE_FORMATS[source_format]
    base = (upload.name or "bild").rsplit(".", 1)[0][:80] or "bild"
    return CheckedFile(ContentFile(output.getvalue(), name=f"{base}.{extension}"), content_type)


def image_gps(upload: UploadedFile) -> tuple[float, float] | None:
    """The (lon, lat) a camera wrote into a photo's EXIF, read before re-encoding throws it away."""
    upload.seek(0)
    try:
        with Image.open(upload) as opened:
            gps = opened.getexif().get_ifd(0x8825)  # GPSInfo
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
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
    base = (upload.name or "datei").rsplit(".", 1)[0][:80] or "datei"
    return CheckedFile(ContentFile(upload.read(), name=f"{base}.{ATTACHMENT_TYPES[mime]}"), mime)


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

    upload: UploadedFile
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
    upload.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return StoredUpload(upload, mime, ATTACHMENT_TYPES[mime], digest.hexdigest(), size)


def image_content_type(name: str) -> str:
    """Images are stored re-encoded under the extension of their real format."""
    extension = name.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(extension, "application/octet-stream")


def serve_upload(field_file: FieldFile, content_type: str, *, download_name: str, inline: bool) -> FileResponse:
    """Stream an upload after the caller checked access. Media are never served without such a check."""
    try:
        opened = field_file.open("rb")
    except OSError:  # a file lost from the storage is "not found", not a server error
        raise Http404 from None
    response = FileResponse(opened, content_type=content_type, as_attachment=not inline, filename=download_name)
    # Files are user uploads: never sniff, never run scripts, never embed elsewhere.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
