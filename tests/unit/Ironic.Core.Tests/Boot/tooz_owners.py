#!/usr/bin/python3
"""Prints which host tooz's HashRing (the ring OpenStack Ironic's conductors use) gives each key.

Input on stdin, JSON: {"hosts": ["c1", ...], "keys": ["<node uuid>", ...], "exponent": 5}
Output on stdout, JSON: {"<key>": "<host>", ...}
Keys are encoded as Ironic encodes node UUIDs: node.uuid.encode('utf-8').
Run with Debian's /usr/bin/python3 (python3-tooz).
"""
import json
import sys

from tooz import hashring

request = json.load(sys.stdin)
ring = hashring.HashRing(request["hosts"], partitions=2 ** request["exponent"])
owners = {}
for key in request["keys"]:
    found = ring.get_nodes(key.encode("utf-8"))
    owners[key] = found.pop()
json.dump(owners, sys.stdout)
