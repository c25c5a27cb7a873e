"""AdminClient operations for python-admin.test.ts, one per run.

Takes one JSON argument {"bootstrap", "op", ...} and prints one JSON object. Kafka errors are
returned as {"code", "name", "str"} values rather than raised, so the test can assert on them.
Written against confluent-kafka-python 1.7.0, which has create/delete topics, create_partitions,
describe_configs and (non-incremental) alter_configs, but no incremental_alter_configs.
"""
import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

TIMEOUT_S = 10


def error_of(future):
    try:
        future.result(timeout=TIMEOUT_S)
        return None
    except KafkaException as exc:
        err = exc.args[0]
        return {"code": err.code(), "name": err.name(), "str": err.str()}


def create_topics(admin, args):
    topics = [
        NewTopic(t["name"], num_partitions=t.get("partitions", 1),
                 replication_factor=t.get("replication", 1), config=t.get("configs", {}))
        for t in args["topics"]
    ]
    futures = admin.create_topics(topics, validate_only=args.get("validateOnly", False),
                                  operation_timeout=10, request_timeout=TIMEOUT_S)
    return {"results": {name: error_of(f) for name, f in futures.items()}}


def list_topics(admin, args):
    md = admin.list_topics(topic=args.get("topic"), timeout=TIMEOUT_S)
    brokers = [{"id": b.id, "host": b.host, "port": b.port} for b in md.brokers.values()]
    topics = {}
    for name, t in md.topics.items():
        topics[name] = {
            "error": None if t.error is None else {"code": t.error.code(), "name": t.error.name()},
            "partitions": {
                str(p.id): {"leader": p.leader, "replicas": list(p.replicas), "isrs": list(p.isrs)}
                for p in t.partitions.values()
            },
        }
    return {"clusterId": md.cluster_id, "controllerId": md.controller_id, "brokers": brokers, "topics": topics}


def describe_configs(admin, args):
    resource = ConfigResource(ConfigResource.Type.TOPIC, args["topic"])
    futures = admin.describe_configs([resource], request_timeout=TIMEOUT_S)
    try:
        entries = futures[resource].result(timeout=TIMEOUT_S)
    except KafkaException as exc:
        err = exc.args[0]
        return {"error": {"code": err.code(), "name": err.name(), "str": err.str()}}
    configs = {
        name: {"value": e.value, "isDefault": e.is_default, "isReadOnly": e.is_read_only,
               "isSensitive": e.is_sensitive, "source": e.source}
        for name, e in entries.items()
    }
    return {"error": None, "configs": configs}


def alter_configs(admin, args):
    resource = ConfigResource(ConfigResource.Type.TOPIC, args["topic"], set_config=args["configs"])
    futures = admin.alter_configs([resource], request_timeout=TIMEOUT_S)
    return {"error": error_of(futures[resource])}


def create_partitions(admin, args):
    futures = admin.create_partitions([NewPartitions(args["topic"], args["count"])],
                                      request_timeout=TIMEOUT_S)
    return {"results": {name: error_of(f) for name, f in futures.items()}}


def delete_topics(admin, args):
    futures = admin.delete_topics(args["topics"], operation_timeout=10, request_timeout=TIMEOUT_S)
    return {"results": {name: error_of(f) for name, f in futures.items()}}


OPS = {
    "create_topics": create_topics,
    "list_topics": list_topics,
    "describe_configs": describe_configs,
    "alter_configs": alter_configs,
    "create_partitions": create_partitions,
    "delete_topics": delete_topics,
}


def main():
    args = json.loads(sys.argv[1])
    admin = AdminClient({"bootstrap.servers": args["bootstrap"], "socket.timeout.ms": 10000})
    print(json.dumps(OPS[args["op"]](admin, args)))


main()
