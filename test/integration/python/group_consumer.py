"""One consumer-group member (subscribe()) that reports everything it sees as JSON lines.

Args: {"bootstrap", "topics": [...], "groupId", "assignor"="range", "instanceId"=null,
"sessionTimeoutMs"=6000, "heartbeatIntervalMs"=500, "commit"=true, "name"=""}.
Prints one JSON object per line, each with "ev" and "t" (ms since the epoch):
  {"ev": "assign" | "revoke" | "lost", "parts": [[topic, partition], ...]}   rebalance callbacks
  {"ev": "rec", "p", "o", "k", "v", "h", "ts", "tsType", "topic"}            one per record read
  {"ev": "commit", "offsets": [[topic, partition, offset], ...]}             a synchronous commit
                                                                              that succeeded
  {"ev": "commitFailed", "error"} / {"ev": "error", "code", "name", "str"}
  {"ev": "closed"}                                                             after close()
With "commit", the offsets after each consumed batch are committed synchronously before the next
poll, so by the time a rebalance callback runs everything printed as read is committed: a new
owner of a partition must start exactly after the last record printed here. SIGTERM closes the
consumer (committing nothing further; a dynamic member sends LeaveGroup, a static one does not);
SIGKILL is the crash the tests use.
"""
import json
import signal
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition


def emit(event):
    event["t"] = int(time.time() * 1000)
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def as_text(data):
    return None if data is None else data.decode("utf-8")


def parts_of(partitions):
    return sorted([tp.topic, tp.partition] for tp in partitions)


def record_event(msg):
    ts_type, ts = msg.timestamp()
    headers = [[name, as_text(value)] for name, value in (msg.headers() or [])]
    return {"ev": "rec", "topic": msg.topic(), "p": msg.partition(), "o": msg.offset(),
            "k": as_text(msg.key()), "v": as_text(msg.value()), "h": headers, "ts": ts, "tsType": ts_type}


def make_consumer(args):
    config = {
        "bootstrap.servers": args["bootstrap"],
        "group.id": args["groupId"],
        "client.id": args.get("name") or "group-consumer",
        "partition.assignment.strategy": args.get("assignor", "range"),
        "session.timeout.ms": args.get("sessionTimeoutMs", 6000),
        "heartbeat.interval.ms": args.get("heartbeatIntervalMs", 500),
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "topic.metadata.refresh.interval.ms": 1000,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 500,
        "error_cb": lambda err: emit({"ev": "error", "code": err.code(), "name": err.name(), "str": err.str()}),
    }
    if args.get("instanceId"):
        config["group.instance.id"] = args["instanceId"]
    return Consumer(config)


def commit_batch(consumer, messages):
    """Commits the offset after the last record of each partition in the batch, synchronously."""
    next_offsets = {}
    for msg in messages:
        next_offsets[(msg.topic(), msg.partition())] = msg.offset() + 1
    offsets = [TopicPartition(t, p, o) for (t, p), o in sorted(next_offsets.items())]
    try:
        result = consumer.commit(offsets=offsets, asynchronous=False)
    except KafkaException as exc:
        emit({"ev": "commitFailed", "error": str(exc.args[0])})
        return
    failed = [[tp.topic, tp.partition, str(tp.error)] for tp in result if tp.error is not None]
    if failed:
        emit({"ev": "commitFailed", "error": failed})
    else:
        emit({"ev": "commit", "offsets": [[tp.topic, tp.partition, tp.offset] for tp in result]})


def main():
    args = json.loads(sys.argv[1])
    should_stop = []
    signal.signal(signal.SIGTERM, lambda _signum, _frame: should_stop.append(True))
    consumer = make_consumer(args)
    consumer.subscribe(
        args["topics"],
        on_assign=lambda _c, parts: emit({"ev": "assign", "parts": parts_of(parts)}),
        on_revoke=lambda _c, parts: emit({"ev": "revoke", "parts": parts_of(parts)}),
        on_lost=lambda _c, parts: emit({"ev": "lost", "parts": parts_of(parts)}),
    )
    emit({"ev": "subscribed"})
    commit = args.get("commit", True)
    while not should_stop:
        messages = consumer.consume(num_messages=200, timeout=0.1)
        records = []
        for msg in messages:
            if msg.error() is not None:
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    emit({"ev": "error", "code": msg.error().code(), "name": msg.error().name(),
                          "str": msg.error().str()})
                continue
            records.append(msg)
            emit(record_event(msg))
        if commit and records:
            commit_batch(consumer, records)
    consumer.close()
    emit({"ev": "closed"})


main()
