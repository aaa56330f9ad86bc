"""GeoReport v2 documents in JSON and XML.

A view's Response carries ``xml_root`` (and ``xml_item`` for a top-level list), so one payload of plain
dicts and lists renders both ways: in JSON a list stays a top-level array (the "Spark convention"), in XML it
becomes the root element wrapping one element per item. XML is only ever written here, never parsed.
"""

import re
from collections.abc import Iterable, Iterator
from xml.etree import ElementTree

import orjson
from django.http import StreamingHttpResponse
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


XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
# Items per chunk of a streamed answer: few enough to keep memory flat, enough that the server's per-chunk cost
# doesn't show.
STREAM_BATCH = 500


def to_xml(data, root: str, item: str | None = None) -> bytes:
    element = ElementTree.Element(root)
    if item is not None:
        for entry in data:
            _fill(ElementTree.SubElement(element, item), entry, item)
    else:
        _fill(element, data, root)
    return XML_DECLARATION + ElementTree.tostring(element, encoding="utf-8", xml_declaration=False)


def _batched(encoded: Iterator[bytes], separator: bytes) -> Iterator[bytes]:
    batch = []
    for piece in encoded:
        batch.append(piece)
        if len(batch) == STREAM_BATCH:
            yield separator.join(batch)
            batch = []
    if batch:
        yield separator.join(batch)


def _json_list(items: Iterable[dict]) -> Iterator[bytes]:
    # The same bytes as orjson.dumps(list(items)), written as the items come.
    yield b"["
    for n, chunk in enumerate(_batched(map(orjson.dumps, items), b",")):
        yield b"," + chunk if n else chunk
    yield b"]"


def _xml_item(entry, item: str) -> bytes:
    element = ElementTree.Element(item)
    _fill(element, entry, item)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=False)


def _xml_list(items: Iterable[dict], root: str, item: str) -> Iterator[bytes]:
    # The same bytes as to_xml(list(items), root, item), an empty list included (ElementTree's "<root />").
    chunks = _batched((_xml_item(entry, item) for entry in items), b"")
    first = next(chunks, None)
    if first is None:
        yield XML_DECLARATION + f"<{root} />".encode()
        return
    yield XML_DECLARATION + f"<{root}>".encode() + first
    yield from chunks
    yield f"</{root}>".encode()


def streamed_list(items: Iterable[dict], fmt: str, root: str, item: str) -> StreamingHttpResponse:
    """A top-level list of any length, rendered as it is read: JSON for fmt "json", XML otherwise."""
    if fmt == "json":
        return StreamingHttpResponse(_json_list(items), content_type="application/json; charset=utf-8")
    return StreamingHttpResponse(_xml_list(items, root, item), content_type="text/xml; charset=utf-8")


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
