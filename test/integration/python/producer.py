"""Produces records start..start+count-1 (content from records.py) and reports every delivery.

Args: {"bootstrap", "topic", "count", "start"=0, "partitions"=1, "idempotent"=false,
"compression"="none", "flushEvery"=0 (flush after every k records, forcing batch boundaries),
"timestampBaseMs"=null (record i gets timestampBaseMs + i)}. Record i goes to partition
i % partitions. Prints {"delivered": [[index, partition, offset, timestamp]...], "errors": [...]}.
"""
import json
import sys

from confluent_kafka import Producer

from records import headers_of, key_of, value_of


def main():
    args = json.loads(sys.argv[1])
    config = {
        "bootstrap.servers": args["bootstrap"],
        "acks": "all",
        "enable.idempotence": args.get("idempotent", False),
        "compression.type": args.get("compression", "none"),
        "linger.ms": 5,
        "message.timeout.ms": 20000,
    }
    producer = Producer(config)
    delivered, errors = [], []

    def on_delivery(err, msg, index):
        if err is not None:
            errors.append({"index": index, "code": err.code(), "name": err.name(), "str": err.str()})
        else:
            delivered.append([index, msg.partition(), msg.offset(), msg.timestamp()[1]])

    start, count = args.get("start", 0), args["count"]
    partitions, flush_every = args.get("partitions", 1), args.get("flushEvery", 0)
    ts_base = args.get("timestampBaseMs")
    for i in range(start, start + count):
        kwargs = {} if ts_base is None else {"timestamp": ts_base + i}
        while True:
            try:
                producer.produce(args["topic"], key=key_of(i), value=value_of(i), headers=headers_of(i),
                                 partition=i % partitions,
                                 on_delivery=lambda err, msg, index=i: on_delivery(err, msg, index),
                                 **kwargs)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
        if flush_every and (i - start + 1) % flush_every == 0:
            producer.flush(20)
    remaining = producer.flush(25)
    delivered.sort()
    print(json.dumps({"delivered": delivered, "errors": errors, "unflushed": remaining}))


main()
