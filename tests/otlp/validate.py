#!/usr/bin/env python3
"""Validates an OTLP/HTTP JSON request body strictly, as an OpenTelemetry Collector would take it.

    validate.py metrics|logs|traces FILE    (or - for stdin)

Exit 0 and "ok" when the body is valid; exit 1 and the first fault on stderr otherwise.

Two checks, in this order:

1. OTLP/JSON's own rules, which protobuf's JSON mapping does not enforce (the OTLP
   specification, "JSON Protobuf Encoding"): keys in lowerCamelCase (protobuf also accepts the
   proto field names), trace and span ids as hex strings of 16 and 8 bytes (protobuf would read
   them as base64 and take any length), enums as integers (protobuf also accepts their names),
   64-bit integers as decimal strings or integral numbers.
2. The body parsed by protobuf's `json_format` against the official definitions (the
   `opentelemetry-proto` package): unknown fields, wrong types and bad values are refused.
"""

import base64
import json
import re
import sys

from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor as F
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

REQUESTS = {
    "metrics": ExportMetricsServiceRequest,
    "logs": ExportLogsServiceRequest,
    "traces": ExportTraceServiceRequest,
}
# Byte fields that OTLP/JSON writes as hex, with their length in bytes.
HEX_IDS = {"trace_id": 16, "span_id": 8, "parent_span_id": 8}
INT64 = {F.TYPE_INT64, F.TYPE_UINT64, F.TYPE_FIXED64, F.TYPE_SFIXED64, F.TYPE_SINT64}
INT32 = {F.TYPE_INT32, F.TYPE_UINT32, F.TYPE_FIXED32, F.TYPE_SFIXED32, F.TYPE_SINT32}
DECIMAL = re.compile(r"-?[0-9]+\Z")


class Fault(Exception):
    pass


def message(descriptor, value, path):
    """`value` checked as a message of `descriptor`; returns it as protobuf's JSON mapping
    reads it (hex ids turned to base64)."""
    if not isinstance(value, dict):
        raise Fault(f"{path}: expected an object")
    by_json = {f.json_name: f for f in descriptor.fields}
    by_name = {f.name: f for f in descriptor.fields}
    out = {}
    for key, v in value.items():
        field = by_json.get(key)
        if field is None:
            if key in by_name:
                raise Fault(f"{path}.{key}: OTLP/JSON spells it {by_name[key].json_name!r}")
            raise Fault(f"{path}.{key}: no such field in {descriptor.full_name}")
        where = f"{path}.{key}"
        if field.is_repeated:
            if not isinstance(v, list):
                raise Fault(f"{where}: expected an array")
            out[key] = [single(field, x, f"{where}[{i}]") for i, x in enumerate(v)]
        else:
            out[key] = single(field, v, where)
    return out


def single(field, v, where):
    t = field.type
    if t == F.TYPE_MESSAGE:
        return message(field.message_type, v, where)
    if t == F.TYPE_ENUM:
        if not isinstance(v, int) or isinstance(v, bool):
            raise Fault(f"{where}: an enum is an integer in OTLP/JSON, not {v!r}")
        return v
    if t == F.TYPE_BYTES and field.name in HEX_IDS:
        size = HEX_IDS[field.name]
        if not isinstance(v, str) or (v and not re.fullmatch(f"[0-9a-f]{{{2 * size}}}", v)):
            raise Fault(f"{where}: expected {2 * size} lowercase hex digits, not {v!r}")
        return base64.b64encode(bytes.fromhex(v)).decode()
    if t in INT64:
        ok = (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, str) and DECIMAL.match(v))
        if not ok:
            raise Fault(f"{where}: a 64-bit integer is a decimal string or an integer, not {v!r}")
        return v
    if t in INT32 and (not isinstance(v, int) or isinstance(v, bool)):
        raise Fault(f"{where}: expected an integer, not {v!r}")
    return v


def validate(kind, body):
    request = REQUESTS[kind]
    mapped = message(request.DESCRIPTOR, body, kind)
    json_format.ParseDict(mapped, request(), ignore_unknown_fields=False)


def main():
    kind, path = sys.argv[1], sys.argv[2]
    text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    try:
        validate(kind, json.loads(text))
    except (Fault, json_format.ParseError, ValueError) as e:
        print(f"invalid OTLP/JSON {kind}: {e}", file=sys.stderr)
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
