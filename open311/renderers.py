"""GeoReport v2 documents in JSON and XML.

A view's Response carries ``xml_root`` (and ``xml_item`` for a top-level list), so one payload of plain
dicts and lists renders both ways: in JSON a list stays a top-level array (the "Spark convention"), in XML it
becomes the root element wrapping one element per item. XML is only ever written here, never parsed.
"""

import re
from xml.etree import ElementTree

import orjson
from rest_framework.renderers import BaseRenderer

# The element name of one item of a nested list, by the list's own name.
XML_CHILD = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "media_urls": "media_url",
    "groups": "group",
    "errors": "error",
}


# Characters XML 1.0 can't carry at all, even escaped; ElementTree would write them and break the document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, value, name: str) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    elif isinstance(value, list):
        item_name = XML_CHILD.get(name, "item")
        for item in value:
            _fill(ElementTree.SubElement(element, item_name), item, item_name)
    elif value is not None:
        element.text = _text(value)


def _append(parent: ElementTree.Element, name: str, value) -> None:
    _fill(ElementTree.SubElement(parent, name), value, name)


def to_xml(data, root: str, item: str | None = None) -> bytes:
    element = ElementTree.Element(root)
    if item is not None:
        for entry in data:
            _fill(ElementTree.SubElement(element, item), entry, item)
    else:
        _fill(element, data, root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        element, encoding="utf-8", xml_declaration=False
    )


class Open311JSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data)


class Open311XMLRenderer(BaseRenderer):
    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        response = (renderer_context or {}).get("response")
        root = getattr(response, "xml_root", "response")
        return to_xml(data, root, getattr(response, "xml_item", None))
