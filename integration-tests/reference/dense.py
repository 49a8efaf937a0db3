#!/usr/bin/env python3
"""Dense reference for leaf-embed's affine test model (python3 + numpy only, offline).

Reads transformers.js's un-normalized mean-pooled vectors (all-minilm-l6-v2-pooled.json, written
by pooled.mjs) and the Dense module of the generated test model
(operators/target/test-models/leaf-affine-v1/2_Dense/: config.json + model.safetensors, written
by the Java test fixture AffineDenseModel), and writes leaf-affine-dense.json with what
sentence-transformers' Dense module computes, `activation(linear(x))` with torch's
`nn.Linear`: y = tanh(x @ W.T + b). The model has no Normalize module, so y is the embedding.

The safetensors file is parsed here by hand (8-byte little-endian header length, JSON header,
raw little-endian tensors), not with the Java reader under test.

Usage: python3 dense.py [pooled.json] [dense-dir] [output.json]
Environment overrides: LEAF_REF_POOLED_OUT, LEAF_REF_DENSE_DIR, LEAF_REF_DENSE_OUT.
"""
import base64
import hashlib
import json
import os
import platform
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
REF_DIR = os.path.join(REPO, "operators", "src", "test", "resources", "reference")


def arg(i, env, default):
    return sys.argv[i] if len(sys.argv) > i else os.environ.get(env, default)


POOLED = arg(1, "LEAF_REF_POOLED_OUT", os.path.join(REF_DIR, "all-minilm-l6-v2-pooled.json"))
DENSE_DIR = arg(2, "LEAF_REF_DENSE_DIR", os.path.join(REPO, "operators", "target", "test-models", "leaf-affine-v1", "2_Dense"))
DST = arg(3, "LEAF_REF_DENSE_OUT", os.path.join(REF_DIR, "leaf-affine-dense.json"))

ACTIVATIONS = {
    "torch.nn.modules.activation.Tanh": np.tanh,
    "torch.nn.modules.linear.Identity": lambda z: z,
}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + header_len].decode("utf-8"))
    data = raw[8 + header_len:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", (name, entry["dtype"])
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype="<f4").reshape(entry["shape"])
    return tensors, hashlib.sha256(raw).hexdigest()


def b64(arr):
    return base64.b64encode(np.ascontiguousarray(arr, dtype="<f4").tobytes()).decode("ascii")


weights_file = os.path.join(DENSE_DIR, "model.safetensors")
for f in (POOLED, weights_file):
    if not os.path.isfile(f):
        sys.exit(f"missing {f}: run pooled.mjs first, and the operators tests once to generate the test model"
                 " (mvn -B -ntp verify -pl operators -Dtest=AffineDenseModelTest)")
with open(os.path.join(DENSE_DIR, "config.json"), encoding="utf-8") as f:
    config = json.load(f)
tensors, sha256 = read_safetensors(weights_file)
W = tensors["linear.weight"]
b = tensors["linear.bias"] if config["bias"] else None
assert W.shape == (config["out_features"], config["in_features"]), W.shape
activation = ACTIVATIONS[config["activation_function"]]

with open(POOLED, encoding="utf-8") as f:
    pooled = json.load(f)
rows = pooled["texts"]
X = np.stack([np.frombuffer(base64.b64decode(t["pooled"]), dtype="<f4") for t in rows])
assert X.shape == (len(rows), config["in_features"])

# float64 arithmetic from the float32 inputs, rounded once at the end
Z = X.astype(np.float64) @ W.astype(np.float64).T
if b is not None:
    Z = Z + b.astype(np.float64)
Y = activation(Z).astype(np.float32)
norms = np.linalg.norm(Y.astype(np.float64), axis=1)

# how far the usual wrong orders land from the right answer (the Java test asserts the same)
Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
wrong = {
    "normalizeBeforeDense": activation(Xn.astype(np.float64) @ W.T.astype(np.float64) + (0 if b is None else b)),
    "noActivation": Z,
    "noBias": activation(X.astype(np.float64) @ W.T.astype(np.float64)),
}
wrong_diff = {k: float(np.max(np.abs(v - Y))) for k, v in wrong.items()}

out = {
    "generator": "integration-tests/reference/dense.py",
    "numpyVersion": np.__version__,
    "pythonVersion": platform.python_version(),
    "source": os.path.basename(POOLED),
    "weightsFile": "leaf-affine-v1/2_Dense/model.safetensors",
    "weightsSha256": sha256,
    "denseConfig": config,
    "computation": "tanh(x @ W.T + b) in float64 from float32 x, W, b; stored as float32; no Normalize module",
    "encoding": "dense: base64 of float32 little-endian, out_features values; norm: its L2 norm",
    "wrongOrderMaxAbsDiff": wrong_diff,
    "texts": [{"id": t["id"], "norm": float(n), "dense": b64(y)} for t, y, n in zip(rows, Y, norms)],
}
with open(DST, "w", encoding="utf-8") as f:
    f.write("{\n")
    items = [(k, v) for k, v in out.items() if k != "texts"]
    for k, v in items:
        f.write(f"  {json.dumps(k)}: {json.dumps(v)},\n")
    f.write('  "texts": [\n')
    f.write(",\n".join("    " + json.dumps(t) for t in out["texts"]))
    f.write("\n  ]\n}\n")
with open(DST, encoding="utf-8") as f:
    json.load(f)  # validate
print(f"wrote {DST} ({os.path.getsize(DST)} bytes): {len(rows)} texts, numpy {np.__version__}, weights sha256 {sha256}")
print("norms", " ".join(f"{n:.3f}" for n in norms))
print("wrong orders, max abs diff to the reference:", wrong_diff)
