#!/usr/bin/env python3
"""Quantization reference for leaf-embed (python3 + numpy only, offline).

Reads the reference embeddings written by generate.mjs
(operators/src/test/resources/reference/all-minilm-l6-v2.json) and writes
operators/src/test/resources/reference/all-minilm-l6-v2-quantized.json with the codes that
sentence-transformers' `quantize_embeddings` (sentence_transformers/quantization.py) produces.
The numpy expressions below are copied from that function; numpy's float->int cast truncates
toward zero, it does not round.

Usage: python3 quantize.py [reference.json] [output.json]
Environment overrides: LEAF_REF_OUT (input), LEAF_REF_QUANTIZED_OUT (output).
"""
import base64
import json
import os
import platform
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
REF_DIR = os.path.join(REPO, "operators", "src", "test", "resources", "reference")
SRC = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LEAF_REF_OUT", os.path.join(REF_DIR, "all-minilm-l6-v2.json"))
DST = sys.argv[2] if len(sys.argv) > 2 else os.environ.get(
    "LEAF_REF_QUANTIZED_OUT", os.path.join(REF_DIR, "all-minilm-l6-v2-quantized.json"))

DIMS = 384
MRL_DIMS = 128
EXPLICIT_MIN, EXPLICIT_MAX = -0.5, 0.5


# ----------------------------------------------------------------- sentence-transformers semantics
def quantize_embeddings(embeddings, precision, ranges=None, calibration_embeddings=None):
    """The numpy part of sentence_transformers.quantization.quantize_embeddings, literally."""
    if embeddings.dtype in {np.uint8, np.int8}:
        raise Exception("Embeddings to quantize must be float rather than int8 or uint8.")
    if precision == "float32":
        return embeddings.astype(np.float32)
    if precision.endswith("int8"):
        if ranges is None:
            if calibration_embeddings is not None:
                ranges = np.vstack((np.min(calibration_embeddings, axis=0), np.max(calibration_embeddings, axis=0)))
            else:
                ranges = np.vstack((np.min(embeddings, axis=0), np.max(embeddings, axis=0)))
        starts = ranges[0, :]
        steps = (ranges[1, :] - ranges[0, :]) / 255
        if precision == "uint8":
            return ((embeddings - starts) / steps).astype(np.uint8)
        elif precision == "int8":
            return ((embeddings - starts) / steps - 128).astype(np.int8)
    if precision == "binary":
        return (np.packbits(embeddings > 0).reshape(embeddings.shape[0], -1) - 128).astype(np.int8)
    if precision == "ubinary":
        return np.packbits(embeddings > 0).reshape(embeddings.shape[0], -1)
    raise ValueError(precision)


def b64(arr, dtype):
    a = np.ascontiguousarray(arr, dtype=np.dtype(dtype).newbyteorder("<"))
    return base64.b64encode(a.tobytes()).decode("ascii")


def per_text(ids, codes, dtype):
    assert codes.dtype == np.dtype(dtype), (codes.dtype, dtype)
    return [{"id": int(i), "codes": b64(row, dtype)} for i, row in zip(ids, codes)]


# ----------------------------------------------------------------- inputs
with open(SRC, encoding="utf-8") as f:
    ref = json.load(f)
assert ref["dims"] == DIMS
rows = [t for t in ref["texts"] if t["text"] != ""]  # the empty text is excluded
ids = [t["id"] for t in rows]
E = np.stack([np.frombuffer(base64.b64decode(t["embedding"]), dtype="<f4") for t in rows]).astype(np.float32)
assert E.shape == (len(rows), DIMS) and E.dtype == np.float32

# ----------------------------------------------------------------- cases
card_ranges = np.array([[-1.0], [1.0]])  # float64, the model card's call
calibration = E
cal_min, cal_max = np.min(calibration, axis=0), np.max(calibration, axis=0)
assert cal_min.dtype == np.float32 and cal_max.dtype == np.float32
explicit_ranges = np.array([[EXPLICIT_MIN] * DIMS, [EXPLICIT_MAX] * DIMS], dtype=np.float32)
E_clipped = np.clip(E, EXPLICIT_MIN, EXPLICIT_MAX)
assert E_clipped.dtype == np.float32
clipped_ids = [int(i) for i, row in zip(ids, E) if np.any((row < EXPLICIT_MIN) | (row > EXPLICIT_MAX))]
mrl = E[:, :MRL_DIMS]
mrl = mrl / np.linalg.norm(mrl, axis=1, keepdims=True)
assert mrl.dtype == np.float32

cases = {}


def case(name, precision, dtype, codes, ranges_desc, arithmetic, **extra):
    cases[name] = dict(precision=precision, dtype=dtype, ranges=ranges_desc, arithmetic=arithmetic,
                       bytesPerText=int(codes.shape[1] * np.dtype(dtype).itemsize), **extra,
                       texts=per_text(ids, codes, dtype))


card_desc = "np.array([[-1.0], [1.0]]) (float64; min -1, max +1 for every dim)"
case("int8-card", "int8", "int8", quantize_embeddings(E, "int8", ranges=card_ranges), card_desc, "float64")
case("uint8-card", "uint8", "uint8", quantize_embeddings(E, "uint8", ranges=card_ranges), card_desc, "float64")
cal_desc = "calibration_embeddings = all embeddings of this file (ids in textIds); ranges = np.vstack((min, max)) per dim, float32; see calibration"
case("int8-calibrated", "int8", "int8", quantize_embeddings(E, "int8", calibration_embeddings=calibration), cal_desc, "float32")
case("uint8-calibrated", "uint8", "uint8", quantize_embeddings(E, "uint8", calibration_embeddings=calibration), cal_desc, "float32")
exp_desc = "np.array([[-0.5]*384, [0.5]*384], dtype=np.float32); inputs are np.clip(e, -0.5, 0.5) (float32) first"
case("int8-explicit-f32", "int8", "int8", quantize_embeddings(E_clipped, "int8", ranges=explicit_ranges), exp_desc, "float32",
     inputsClippedTo=[EXPLICIT_MIN, EXPLICIT_MAX], idsWithClippedValues=clipped_ids)
case("uint8-explicit-f32", "uint8", "uint8", quantize_embeddings(E_clipped, "uint8", ranges=explicit_ranges), exp_desc, "float32",
     inputsClippedTo=[EXPLICIT_MIN, EXPLICIT_MAX], idsWithClippedValues=clipped_ids)
case("binary", "binary", "int8", quantize_embeddings(E, "binary"), None, None)
case("ubinary", "ubinary", "uint8", quantize_embeddings(E, "ubinary"), None, None)
cases["mrl-128"] = dict(precision="float32", dtype="float32", dims=MRL_DIMS, ranges=None, arithmetic="float32",
                        description="e[:, :128] / np.linalg.norm(e[:, :128], axis=1, keepdims=True) in float32; compare with a tolerance",
                        bytesPerText=MRL_DIMS * 4, texts=per_text(ids, mrl, "float32"))

# ----------------------------------------------------------------- hand-checkable cases
v4 = np.array([[-1.0, -0.5, 0.0039, 1.0]], dtype=np.float32)
v10 = np.array([[0.5, -0.1, 0.0, 0.2, -0.3, 0.7, 0.01, -0.01, 0.9, -0.0]], dtype=np.float32)
v_cal = np.array([[-0.2, 0.0], [0.1, 0.5], [0.4, 0.25]], dtype=np.float32)  # 3 vectors, 2 dims


def ints(a):
    return [int(x) for x in np.asarray(a).reshape(-1)]


hand = [
    dict(name="int8-card-4d", precision="int8", ranges=[[-1.0], [1.0]], arithmetic="float64",
         input=[float(x) for x in v4[0]], inputDtype="float32",
         codes=ints(quantize_embeddings(v4, "int8", ranges=card_ranges)),
         note="(e+1)/(2/255)-128 truncated toward zero: -1 -> -128, -0.5 -> -64.25 -> -64, 0.0039 -> -0.0027 -> 0, 1 -> 127"),
    dict(name="uint8-card-4d", precision="uint8", ranges=[[-1.0], [1.0]], arithmetic="float64",
         input=[float(x) for x in v4[0]], inputDtype="float32",
         codes=ints(quantize_embeddings(v4, "uint8", ranges=card_ranges)),
         note="(e+1)/(2/255) truncated: 0, 63.75 -> 63, 127.997 -> 127, 255"),
    dict(name="binary-ubinary-10d", precision="binary+ubinary", input=[float(x) for x in v10[0]], inputDtype="float32",
         ubinaryCodes=ints(quantize_embeddings(v10, "ubinary")),
         binaryCodes=ints(quantize_embeddings(v10, "binary")),
         note="bits e>0 = 1001011010, MSB first, zero padded: 10010110 10000000 = [150, 128]; binary = ubinary - 128 as int8 = [22, 0]; 0.0 and -0.0 give 0"),
    dict(name="int8-calibrated-3x2", precision="int8", arithmetic="float32",
         input=[[float(x) for x in r] for r in v_cal], inputDtype="float32",
         calibrationMin=[float(x) for x in np.min(v_cal, axis=0)],
         calibrationMax=[float(x) for x in np.max(v_cal, axis=0)],
         codes=[ints(r) for r in quantize_embeddings(v_cal, "int8", calibration_embeddings=v_cal)],
         uint8Codes=[ints(r) for r in quantize_embeddings(v_cal, "uint8", calibration_embeddings=v_cal)],
         note="calibration = the 3 inputs themselves; per-dim min/max; float32 arithmetic: dim 2 of row 2 is the max 0.5 but 0.5 / float32(0.5/255) = 254.99998, so uint8 254 and int8 126 (not 255 / 127)"),
]

# ----------------------------------------------------------------- output
out = {
    "generator": "integration-tests/reference/quantize.py",
    "source": os.path.basename(SRC),
    "semantics": "sentence_transformers.quantization.quantize_embeddings (numpy expressions copied literally)",
    "numpyVersion": np.__version__,
    "pythonVersion": platform.python_version(),
    "dims": DIMS,
    "excluded": "texts with empty text (category empty)",
    "textIds": [int(i) for i in ids],
    "encoding": "codes: base64 of the raw bytes per text (int8 as two's complement, uint8 as is, float32 little-endian)",
    "calibration": {"min": b64(cal_min, "float32"), "max": b64(cal_max, "float32"),
                    "encoding": "base64 float32 little-endian, 384 values each"},
    "cases": cases,
    "handChecked": hand,
}
os.makedirs(os.path.dirname(DST), exist_ok=True)
with open(DST, "w", encoding="utf-8") as f:
    f.write("{\n")
    items = list(out.items())
    for k, (key, val) in enumerate(items):
        sep = "," if k + 1 < len(items) else ""
        if key == "cases":
            f.write('  "cases": {\n')
            names = list(val)
            for j, name in enumerate(names):
                c = dict(val[name])
                texts = c.pop("texts")
                head = json.dumps(c, ensure_ascii=False)[:-1]
                f.write(f'    {json.dumps(name)}: {head}, "texts": [\n')
                f.write(",\n".join("      " + json.dumps(t) for t in texts))
                f.write("\n    ]}" + ("," if j + 1 < len(names) else "") + "\n")
            f.write("  }" + sep + "\n")
        else:
            f.write(f"  {json.dumps(key)}: {json.dumps(val, ensure_ascii=False)}{sep}\n")
    f.write("}\n")

with open(DST, encoding="utf-8") as f:
    check = json.load(f)  # validate
assert len(check["cases"]["int8-card"]["texts"]) == len(ids)

print(f"wrote {DST} ({os.path.getsize(DST)} bytes): {len(ids)} texts, numpy {np.__version__}")
print(f"explicit-f32: {len(clipped_ids)} texts had values outside [-0.5, 0.5] (clipped): {clipped_ids}")
i8 = quantize_embeddings(E, "int8", ranges=card_ranges).astype(np.int16)
u8 = quantize_embeddings(E, "uint8", ranges=card_ranges).astype(np.int16)
print(f"int8-card != uint8-card - 128 on {int(np.sum(i8 != u8 - 128))} of {i8.size} values")
for h in hand:
    print(" ", h["name"], {k: v for k, v in h.items() if k.endswith("odes")})
