"""Produces records 0, 1, 2, ... at a steady rate until SIGTERM, printing each acknowledgement.

A group consumer fed by this stays busy through a fault without the test drowning in records:
the kill happens while records keep arriving. Args: {"bootstrap", "topic", "partitions"=1,
"ratePerS"=200, "idempotent"=true, "flushTimeoutS"=30, "debug"=null (librdkafka debug contexts, logged
to stderr)}. Record i (content from records.py) goes to
partition i % partitions. Lines, one JSON value each:
  [index, partition, offset, ack time in epoch ms]        a record acknowledged with acks=all
  {"error": {"index", "code", "name", "str"}}             a record that failed for good
  {"clientError": {"code", "name", "str", "fatal"}}         librdkafka's error callback
  {"done": true, "produced": n, "unflushed": n}           after SIGTERM and the final flush
On SIGTERM it stops producing and flushes (bounded), so when the cluster is healthy every record it
produced is acknowledged and printed before "done". message.timeout.ms is long enough that a
broker fail-over delays records rather than failing them.
"""
import json
import signal
import sys
import time

from confluent_kafka import Producer

from records import headers_of, key_of, value_of

stopping = False


def on_sigterm(signum, frame):
    global stopping
    stopping = True


def emit(value):
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    args = json.loads(sys.argv[1])
    config = {
        "bootstrap.servers": args["bootstrap"],
        "acks": "all",
        "enable.idempotence": args.get("idempotent", True),
        "linger.ms": 5,
        "message.timeout.ms": 60000,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 500,
        "error_cb": lambda err: emit({"clientError": {"code": err.code(), "name": err.name(), "str": err.str(),
                                                      "fatal": err.fatal()}}),
    }
    if args.get("debug"):
        config["debug"] = args["debug"]
    producer = Producer(config)
    partitions = args.get("partitions", 1)
    rate = float(args.get("ratePerS", 200))

    def on_delivery(err, msg, index):
        if err is None:
            emit([index, msg.partition(), msg.offset(), int(time.time() * 1000)])
        else:
            emit({"error": {"index": index, "code": err.code(), "name": err.name(), "str": err.str()}})

    started = time.monotonic()
    i = 0
    while not stopping:
        due = int((time.monotonic() - started) * rate)
        while i < due and not stopping:
            try:
                producer.produce(args["topic"], key=key_of(i), value=value_of(i), headers=headers_of(i),
                                 partition=i % partitions,
                                 on_delivery=lambda err, msg, index=i: on_delivery(err, msg, index))
                i += 1
            except BufferError:
                producer.poll(0.01)
        producer.poll(0.01)
    remaining = producer.flush(args.get("flushTimeoutS", 30))
    emit({"done": True, "produced": i, "unflushed": remaining})


main()
