"""Reads partitions by manual assignment (no group membership) and prints what it read.

Args: {"bootstrap", "topic", "assign": [{"partition", "offset"}], "max"=null, "timeoutS"=20,
"seek": null | {"afterCount", "partition", "offset"}}. Reads until every assigned partition hits
its end (enable.partition.eof) or "max" records. With "seek", after reading "afterCount" records it
seeks the partition and keeps reading; records after the seek go to "afterSeek".
Prints {"records": [...], "afterSeek": [...], "timedOut": bool}; a record is
{"p", "o", "k", "v", "h": [[name, value]...], "ts", "tsType"}.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition


def as_text(data):
    return None if data is None else data.decode("utf-8")


def record_of(msg):
    ts_type, ts = msg.timestamp()
    headers = [[name, as_text(value)] for name, value in (msg.headers() or [])]
    return {"p": msg.partition(), "o": msg.offset(), "k": as_text(msg.key()), "v": as_text(msg.value()),
            "h": headers, "ts": ts, "tsType": ts_type}


def main():
    args = json.loads(sys.argv[1])
    consumer = Consumer({
        "bootstrap.servers": args["bootstrap"],
        # assign() needs a group.id but joins no group as long as nothing is committed.
        "group.id": "tideline-it-manual",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "auto.offset.reset": "error",
    })
    topic = args["topic"]
    consumer.assign([TopicPartition(topic, a["partition"], a["offset"]) for a in args["assign"]])
    pending_eof = {a["partition"] for a in args["assign"]}
    seek, limit = args.get("seek"), args.get("max")
    records, after_seek, has_sought = [], [], False
    deadline = time.monotonic() + args.get("timeoutS", 20)
    timed_out = False
    while pending_eof and (limit is None or len(records) + len(after_seek) < limit):
        if time.monotonic() > deadline:
            timed_out = True
            break
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().code() == KafkaError._PARTITION_EOF:
                pending_eof.discard(msg.partition())
                continue
            raise SystemExit("consume error: %s" % msg.error().str())
        (after_seek if has_sought else records).append(record_of(msg))
        if seek is not None and not has_sought and len(records) == seek["afterCount"]:
            consumer.seek(TopicPartition(topic, seek["partition"], seek["offset"]))
            has_sought = True
            pending_eof.add(seek["partition"])
    consumer.close()
    print(json.dumps({"records": records, "afterSeek": after_seek, "timedOut": timed_out}))


main()
