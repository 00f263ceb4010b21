#!/usr/bin/env python3
"""Writes the libFuzzer seed corpus from the YKC golden frame files: one file per frame, one per
pair of frames, and the whole set concatenated; each prefixed with the chunk-size byte the fuzz
target reads first."""
import pathlib
import sys

data = pathlib.Path(__file__).resolve().parents[1] / "data" / "ykc"
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
frames = []
for name in ("worked_examples.txt", "encrypted_frames.txt"):
    for line in (data / name).read_text().splitlines():
        if line.startswith("#") or "|" not in line:
            continue
        frames.append(bytes.fromhex(line.split("|", 1)[1]))
for i, f in enumerate(frames):
    (out / f"frame_{i:02d}").write_bytes(bytes([i * 7 % 64]) + f)
for i in range(len(frames) - 1):
    (out / f"pair_{i:02d}").write_bytes(bytes([3]) + frames[i] + frames[i + 1])
(out / "all").write_bytes(bytes([63]) + b"".join(frames))
(out / "garbage_then_frame").write_bytes(bytes([5]) + b"\x00\x68\x02\x68\xff" + frames[0])
print(f"{len(list(out.iterdir()))} seed inputs in {out}")
