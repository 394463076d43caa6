"""GeoReport v2's two formats from one Python value.

JSON is the mechanical image of the XML ("Spark convention"): a container whose children share
one name is a JSON array, even with one child, so `<service_requests><request>…` is `[{…}]`.
Values are built once as dicts and lists; `CHILD` names the XML element of a list's items.
None means "not returned" and is left out of both formats.
"""

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse

XML = "xml"
JSON = "json"
FORMATS = (XML, JSON)
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

# Container element -> its children's element (the spec's names).
CHILD = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "notes": "note",
}
# Characters XML 1.0 cannot carry at all (not even escaped): C0 controls but tab, LF and CR.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, name: str, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if item is not None:
                _fill(ET.SubElement(element, key), key, item)
    elif isinstance(value, list):
        child = CHILD[name]
        for item in value:
            _fill(ET.SubElement(element, child), child, item)
    else:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    element = ET.Element(root)
    _fill(element, root, value)
    return (XML_DECLARATION + ET.tostring(element, encoding="unicode")).encode("utf-8")


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def to_json(value) -> bytes:
    return json.dumps(_drop_none(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def respond(fmt: str, root: str, value, *, status: int = 200) -> HttpResponse:
    body = to_json(value) if fmt == JSON else to_xml(root, value)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, errors: list[tuple[int, str]]) -> HttpResponse:
    """The spec's error list, `[{"code", "description"}]` / `<errors><error>…`; the HTTP status
    is the first error's code."""
    body = [{"code": code, "description": description} for code, description in errors]
    return respond(fmt if fmt in FORMATS else XML, "errors", body, status=status)
