#!/usr/bin/env python3
"""Writes the seed corpus and dictionary of ocpp_call_fuzz from the official OCPP 1.6 schemas:
for every message a CALL carrying a valid instance with every property (strings at their
maxLength, one item per array) and one with only the required ones; the first byte says
Request (0) or Response (1). The dictionary holds every property name and enum value, so
mutations reach the decoders' deeper states.
Usage: ocpp_seeds.py <corpus-dir> <dict-file>"""
import json
import pathlib
import sys

schemas = pathlib.Path(__file__).resolve().parents[2] / "third_party" / "ocpp-schemas" / "ocpp1.6"
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
words = set()


def resolve(node, root):
    ref = node.get("$ref")
    return root["definitions"][ref.rsplit("/", 1)[1]] if ref else node


def instance(node, root, full):
    s = resolve(node, root)
    if "enum" in s:
        words.update(s["enum"])
        return s["enum"][-1]
    t = s.get("type")
    if t == "object":
        props = s.get("properties", {})
        words.update(props)
        required = set(s.get("required", []))
        return {k: instance(v, root, full) for k, v in props.items() if full or k in required}
    if t == "array":
        return [instance(s["items"], root, full) for _ in range(max(1, s.get("minItems", 1)))]
    if t == "integer":
        return 42
    if t == "number":
        return 2.5
    if t == "boolean":
        return True
    if s.get("format") == "date-time":
        return "2024-02-29T23:59:58.125Z"
    text = "https://example.com/f" if s.get("format") == "uri" else ""
    return (text + "x" * s.get("maxLength", 12))[: max(len(text), s.get("maxLength", 12))]


count = 0
for path in sorted(schemas.glob("*.json")):
    name = path.stem
    kind = 1 if name.endswith("Response") else 0
    action = name[: -len("Response")] if kind else name[: -len("Request")]
    root = json.loads(path.read_text())
    for full in (True, False):
        frame = json.dumps([2, f"{action[:8]}-{count}", action, instance(root, root, full)], separators=(",", ":"))
        (out / f"{name}_{'full' if full else 'required'}").write_bytes(bytes([kind]) + frame.encode())
        count += 1
# What piles send all day (bench/loadgen.js's MeterValues): numbers as text, keys out of schema
# order, defaults left out; the MeterValues fast path's home ground.
sampled = [{"value": v, "context": "Sample.Periodic", "measurand": m, "unit": u, "location": loc, **({"phase": p} if p else {})}
           for v, m, u, p, loc in [("1000001", "Energy.Active.Import.Register", "Wh", "", "Outlet"),
                                   ("15.94", "Current.Import", "A", "L1", "Outlet"),
                                   ("31.2", "Temperature", "Celsius", "", "Body"), ("-0.5e1", "SoC", "Percent", "", "EV")]]
frame = [2, "mv-1", "MeterValues", {"connectorId": 1, "transactionId": 7,
                                     "meterValue": [{"timestamp": "2026-11-22T10:00:00.000Z", "sampledValue": sampled}]}]
(out / "MeterValuesRequest_pile").write_bytes(bytes([0]) + json.dumps(frame, separators=(",", ":")).encode())
count += 1
# The frame ocpp_call_fuzz.cpp teaches the learned-shape decoder (kShapeFrame), with other
# places: mutations of it are what that decoder reads by its shape.
shape = ('[2,"42","MeterValues",{"connectorId":3,"transactionId":-8,"meterValue":[{"timestamp":"2026-11-22T11:30:05+08:00",'
         '"sampledValue":[{"value":"1000001","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register",'
         '"unit":"Wh","location":"Outlet"},{"value":"n/a","context":"Sample.Periodic","measurand":"Current.Import",'
         '"unit":"A","location":"Outlet","phase":"L1"},{"value":"12.5","format":"SignedData"}]}]}]')
(out / "MeterValuesRequest_shape").write_bytes(bytes([0]) + shape.encode())
count += 1
pathlib.Path(sys.argv[2]).write_text("".join(f'"\\"{w}\\""\n' for w in sorted(words)))
print(f"{count} seed inputs in {out}, {len(words)} dictionary words")
