"""User-written text: rich text is sanitised once, on the way in; control characters are removed."""

import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "h4",
    "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": {"colspan", "rowspan"}}


def sanitise_html(value: str) -> str:
    return nh3.clean(
        strip_control_characters(value or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


# C0 controls except tab, line feed and carriage return; DEL and the C1 controls; lone surrogates and the two
# non-characters that XML 1.0 forbids. None has a meaning in text a person writes, and each breaks an export:
# openpyxl refuses C0 controls (IllegalCharacterError), XML (ODS, XBeteiligung) refuses them all.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_control_characters(value: str) -> str:
    """Remove characters that no export format and no reader can carry; keeps tab and line breaks."""
    return CONTROL_CHARACTERS.sub("", value)


def clean_text(value: str | None) -> str:
    """Plain text as a person wrote it: control characters removed, surrounding white space trimmed.

    The services' checks of statements, comments, ideas and reports call this on the way in; the exports
    call ``strip_control_characters`` again on the way out for what was stored before.
    """
    return strip_control_characters(value or "").strip()


GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"})


def german_slug(text: str, max_length: int = 80) -> str:
    """An address segment from German text: „Straße über den Bach“ → "strasse-ueber-den-bach".

    Umlauts and ß are spelt out as German writes them without them (slugify alone would drop the dots:
    "uber"); other accents are dropped. ``static/js/backoffice.js`` proposes the same while typing.
    """
    from django.utils.text import slugify

    return slugify(text.translate(GERMAN_LETTERS))[:max_length].strip("-")
