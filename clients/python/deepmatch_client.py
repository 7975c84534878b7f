#!/usr/bin/env python3
"""A Python client of the learner's topics, using only the shipped schema files.

Needs confluent-kafka and avro (Debian: python3-confluent-kafka python3-avro; pip:
confluent-kafka avro). Every value on the topics is Avro single-object encoded: the bytes C3 01,
the writer schema's CRC-64-AVRO fingerprint (8 bytes, little-endian), then the Avro binary body.

  deepmatch_client.py fingerprints --schemas DIR
  deepmatch_client.py produce --bootstrap-servers HOST:PORT --topic T --count N --schemas DIR
        [--older-every K] [--foreign 1]
  deepmatch_client.py read-vectors --bootstrap-servers HOST:PORT --topic T --schemas DIR
        [--min-records N] [--timeout-s S]

Each command prints one JSON object on stdout.
"""
import argparse
import datetime
import io
import json
import os
import sys
import time

import avro.io
import avro.schema
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

MARKER = b"\xc3\x01"
_EMPTY = 0xC15D213AA4D7A795
_TABLE = []
for _i in range(256):
    _fp = _i
    for _ in range(8):
        _fp = (_fp >> 1) ^ (_EMPTY & -(_fp & 1))
    _TABLE.append(_fp)


def crc64_avro(data: bytes) -> int:
    """The Avro specification's 64-bit Rabin fingerprint."""
    fp = _EMPTY
    for b in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ b) & 0xFF]
    return fp


PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def _fullname(name, namespace):
    return name if "." in name or not namespace else namespace + "." + name


def canonical_form(s, namespace=None) -> str:
    """The specification's Parsing Canonical Form, from a schema's JSON.

    Computed here rather than taken from avro-python (1.11 keeps the JSON object of a primitive
    type that carries a logical type or another property, e.g. {"type":"long"} for a
    timestamp-millis, so its fingerprints differ from every other library's).
    """
    if isinstance(s, str):
        return json.dumps(s if s in PRIMITIVES else _fullname(s, namespace))
    if isinstance(s, list):
        return "[" + ",".join(canonical_form(b, namespace) for b in s) + "]"
    t = s["type"]
    if isinstance(t, (dict, list)) or t in PRIMITIVES:
        return canonical_form(t, namespace)  # strips logicalType and every other attribute
    parts = []
    if t in ("record", "error", "enum", "fixed"):
        name = _fullname(s["name"], s.get("namespace", namespace))
        namespace = name.rpartition(".")[0]
        parts.append('"name":' + json.dumps(name))
    parts.append('"type":' + json.dumps("record" if t == "error" else t))
    if t in ("record", "error"):
        fields = [
            '{"name":' + json.dumps(f["name"]) + ',"type":' + canonical_form(f["type"], namespace) + "}"
            for f in s["fields"]
        ]
        parts.append('"fields":[' + ",".join(fields) + "]")
    elif t == "enum":
        parts.append('"symbols":[' + ",".join(json.dumps(x) for x in s["symbols"]) + "]")
    elif t == "array":
        parts.append('"items":' + canonical_form(s["items"], namespace))
    elif t == "map":
        parts.append('"values":' + canonical_form(s["values"], namespace))
    elif t == "fixed":
        parts.append('"size":' + str(int(s["size"])))
    return "{" + ",".join(parts) + "}"


class WireType:
    """One schema file: encodes and decodes single-object payloads of it."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.schema = avro.schema.parse(text)
        self.fingerprint = crc64_avro(canonical_form(json.loads(text)).encode("utf-8"))
        self.header = MARKER + self.fingerprint.to_bytes(8, "little")

    def encode(self, datum) -> bytes:
        buf = io.BytesIO()
        buf.write(self.header)
        avro.io.DatumWriter(self.schema).write(datum, avro.io.BinaryEncoder(buf))
        return buf.getvalue()

    def decode(self, payload: bytes):
        if payload[:10] != self.header:
            raise ValueError("not a record of %s (header %s)" % (self.schema.name, payload[:10].hex()))
        buf = io.BytesIO(payload[10:])
        datum = avro.io.DatumReader(self.schema).read(avro.io.BinaryDecoder(buf))
        if buf.tell() != len(payload) - 10:
            raise ValueError("bytes left after one record")
        return datum


def hex16(fp: int) -> str:
    return "%016x" % fp


def cmd_fingerprints(args):
    out = {}
    for root, _, files in os.walk(args.schemas):
        for name in sorted(files):
            if name.endswith(".avsc"):
                rel = os.path.relpath(os.path.join(root, name), args.schemas)
                out[rel] = hex16(WireType(os.path.join(root, name)).fingerprint)
    return out


def cmd_produce(args):
    current = WireType(os.path.join(args.schemas, "PlaybackEvent.avsc"))
    older = WireType(os.path.join(args.schemas, "older", "PlaybackEvent-v1.avsc"))
    producer = Producer(
        {
            "bootstrap.servers": args.bootstrap_servers,
            "enable.idempotence": True,
            "acks": "all",
            "compression.type": "lz4",
            "linger.ms": 20,
        }
    )
    errors = []
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    sent = {"current": 0, "older": 0, "foreign": 0}
    items = set()
    for i in range(args.count):
        user = "py-user-%d" % (i % args.users)
        item = "py-track-%d" % ((i * 7 + i // args.users) % args.tracks)
        items.add(item)
        event = {
            "eventId": "py-%d" % i,
            "userId": user,
            "itemId": item,
            "eventTimeMillis": start + datetime.timedelta(seconds=i),
            "playRate": 0.95 if i % 3 else 0.1,
            "intent": "RECOMMENDATION" if i % 2 else "EXACT_TRACK",
            "deviceId": "python",
        }
        if args.older_every and i % args.older_every == 0:
            payload = older.encode(event)  # a device of release 0.1: no appVersion
            sent["older"] += 1
        else:
            event["appVersion"] = "py-1.0"
            payload = current.encode(event)
            sent["current"] += 1
        producer.produce(args.topic, key=user.encode("utf-8"), value=payload,
                         on_delivery=lambda err, msg: err and errors.append(str(err)))
        producer.poll(0)
    for i in range(args.foreign):
        # A well-formed single-object record of a schema the job has never seen.
        foreign_json = {"type": "record", "name": "Foreign", "fields": [{"name": "x", "type": "int"}]}
        foreign = avro.schema.parse(json.dumps(foreign_json))
        fp = crc64_avro(canonical_form(foreign_json).encode("utf-8"))
        buf = io.BytesIO()
        buf.write(MARKER + fp.to_bytes(8, "little"))
        avro.io.DatumWriter(foreign).write({"x": i}, avro.io.BinaryEncoder(buf))
        producer.produce(args.topic, key=b"foreign", value=buf.getvalue(),
                         on_delivery=lambda err, msg: err and errors.append(str(err)))
        sent["foreign"] += 1
    producer.flush(30)
    if errors:
        raise SystemExit("delivery failed: %s" % errors[:3])
    return {"sent": sent, "items": sorted(items)}


def cmd_read_vectors(args):
    vectors = WireType(os.path.join(args.schemas, "ItemVector.avsc"))
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap_servers,
            "group.id": "deepmatch-python-%d" % os.getpid(),
            "isolation.level": "read_committed",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([args.topic])
    records, undecodable, widths, items, max_version = 0, 0, set(), set(), -1
    deadline = time.time() + args.timeout_s
    try:
        while time.time() < deadline and records < args.min_records:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            try:
                v = vectors.decode(msg.value())
            except Exception as e:  # noqa: BLE001 - counted and reported
                undecodable += 1
                print("undecodable at offset %d: %s" % (msg.offset(), e), file=sys.stderr)
                continue
            if msg.key().decode("utf-8") != v["itemId"]:
                raise SystemExit("key %r is not the item id %r" % (msg.key(), v["itemId"]))
            records += 1
            widths.add(len(v["vector"]))
            items.add(v["itemId"])
            max_version = max(max_version, v["modelVersion"])
    finally:
        consumer.close()
    return {
        "records": records,
        "undecodable": undecodable,
        "widths": sorted(widths),
        "items": sorted(items),
        "maxVersion": max_version,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fingerprints")
    f.add_argument("--schemas", required=True)
    pr = sub.add_parser("produce")
    pr.add_argument("--bootstrap-servers", required=True)
    pr.add_argument("--topic", default="playback-events")
    pr.add_argument("--schemas", required=True)
    pr.add_argument("--count", type=int, default=1000)
    pr.add_argument("--users", type=int, default=40)
    pr.add_argument("--tracks", type=int, default=120)
    pr.add_argument("--older-every", type=int, default=0)
    pr.add_argument("--foreign", type=int, default=0)
    r = sub.add_parser("read-vectors")
    r.add_argument("--bootstrap-servers", required=True)
    r.add_argument("--topic", default="item-vectors")
    r.add_argument("--schemas", required=True)
    r.add_argument("--min-records", type=int, default=1)
    r.add_argument("--timeout-s", type=float, default=60)
    args = p.parse_args()
    result = {"fingerprints": cmd_fingerprints, "produce": cmd_produce,
              "read-vectors": cmd_read_vectors}[args.command](args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
