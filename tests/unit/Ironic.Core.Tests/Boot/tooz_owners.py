#!/usr/bin/python3
"""Prints which host tooz's HashRing (the ring OpenStack Ironic's conductors use) gives each key.

Input on stdin, JSON: {"rings": [{"hosts": ["c1", ...], "exponent": 5}, ...], "keys": ["<node uuid>", ...]}
Output on stdout, JSON: one {"<key>": "<host>", ...} per ring, in order.
Keys are encoded as Ironic encodes node UUIDs: node.uuid.encode('utf-8').
Run with Debian's /usr/bin/python3 (python3-tooz). One run answers every ring, because
importing tooz takes seconds here.
"""
import json
import sys

from tooz import hashring

request = json.load(sys.stdin)
answers = []
for spec in request["rings"]:
    ring = hashring.HashRing(spec["hosts"], partitions=2 ** spec["exponent"])
    answers.append({key: ring.get_nodes(key.encode("utf-8")).pop() for key in request["keys"]})
json.dump(answers, sys.stdout)
