"""Produces records 0, 1, 2, ... until SIGTERM, printing one JSON line per acknowledged record.

Used by the kill -9 test: every line printed is a record the broker acknowledged with acks=all,
so it must survive a broker crash. Args: {"bootstrap", "topic", "partitions"=1, "idempotent"=false}.
Line: [index, partition, offset, ack time in epoch ms]. On SIGTERM it stops producing and exits without flushing (the
broker may be dead), so only acknowledged records are ever printed.
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


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    args = json.loads(sys.argv[1])
    producer = Producer({
        "bootstrap.servers": args["bootstrap"],
        "acks": "all",
        "enable.idempotence": args.get("idempotent", False),
        "linger.ms": 2,
        "message.timeout.ms": 60000,
        "reconnect.backoff.max.ms": 200,
    })
    partitions = args.get("partitions", 1)

    def on_delivery(err, msg, index):
        if err is None:
            sys.stdout.write(json.dumps([index, msg.partition(), msg.offset(), int(time.time() * 1000)]) + "\n")
            sys.stdout.flush()

    i = 0
    while not stopping:
        try:
            producer.produce(args["topic"], key=key_of(i), value=value_of(i), headers=headers_of(i),
                             partition=i % partitions,
                             on_delivery=lambda err, msg, index=i: on_delivery(err, msg, index))
            i += 1
        except BufferError:
            producer.poll(0.01)
            continue
        producer.poll(0.001 if i % 50 == 0 else 0)
    # Deliver callbacks already queued for acknowledged records, without waiting for new acks.
    producer.poll(0)


main()
