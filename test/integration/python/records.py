"""The deterministic record content shared by producer.py and the TypeScript tests.

Record i has key "key-<i>", a value whose length varies with i, and two headers. The tests rebuild
the same content in TypeScript (test/helpers/records.ts) to check what they read back exactly.
"""


def key_of(i):
    return "key-%d" % i


def value_of(i):
    return "value-%d-%s" % (i, "x" * (i % 37))


def headers_of(i):
    return [("index", str(i).encode()), ("parity", b"even" if i % 2 == 0 else b"odd")]
