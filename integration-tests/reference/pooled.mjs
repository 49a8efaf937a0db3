#!/usr/bin/env node
// Un-normalized mean-pooled vectors of all-MiniLM-L6-v2 (fp32) for a few reference texts, the
// input of the Dense reference that dense.py computes with numpy (see README.md).
//
// Produces operators/src/test/resources/reference/all-minilm-l6-v2-pooled.json: for each chosen
// text of all-minilm-l6-v2.json, transformers.js's fp32 model run on its stIds (the Rust
// tokenizer's ids, truncated at 256 as sentence-transformers does) and transformers.js's
// mean_pooling, WITHOUT normalize: what sentence-transformers' Pooling module hands to a Dense
// module. It also checks that normalizing these vectors gives generate.mjs's `embedding`.
//
// Usage: node pooled.mjs [--model-fp32 F] [--reference F] [--out F]
// Environment overrides: LEAF_REF_MODEL_FP32, LEAF_REF_OUT (the reference read), LEAF_REF_POOLED_OUT.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { env, AutoModel, Tensor, mean_pooling } from '@huggingface/transformers';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const DIMS = 384;
// Short, sentence, paragraph, accented, Chinese, emoji and one text cut at 256 tokens.
const IDS = [1, 5, 25, 57, 113, 177, 201, 253];

function arg(name, envName, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return path.resolve(process.argv[i + 1]);
  if (process.env[envName]) return path.resolve(process.env[envName]);
  return dflt;
}
const REF_DIR = path.join(REPO, 'operators', 'src', 'test', 'resources', 'reference');
const FP32_ONNX = arg('model-fp32', 'LEAF_REF_MODEL_FP32',
  path.join(REPO, 'operators', 'target', 'test-models', 'all-minilm-l6-v2', 'all-minilm-l6-v2.onnx'));
const REFERENCE = arg('reference', 'LEAF_REF_OUT', path.join(REF_DIR, 'all-minilm-l6-v2.json'));
const OUT = arg('out', 'LEAF_REF_POOLED_OUT', path.join(REF_DIR, 'all-minilm-l6-v2-pooled.json'));
for (const f of [FP32_ONNX, REFERENCE]) {
  if (!fs.existsSync(f)) {
    console.error(`Missing input file: ${f}\nSee README.md (model unpack step).`);
    process.exit(2);
  }
}

const pkgVersion = (name) =>
  JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')).version;
const f32ToBase64 = (arr) => {
  const buf = Buffer.alloc(arr.length * 4);
  for (let i = 0; i < arr.length; i++) buf.writeFloatLE(arr[i], i * 4);
  return buf.toString('base64');
};
const base64ToF32 = (s) => {
  const buf = Buffer.from(s, 'base64');
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
};

// A throw-away transformers.js model folder (the model only: ids come from the reference).
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'leaf-embed-pooled-'));
const MODEL_ID = 'all-minilm-l6-v2';
const modelDir = path.join(tmpRoot, MODEL_ID);
fs.mkdirSync(path.join(modelDir, 'onnx'), { recursive: true });
fs.writeFileSync(path.join(modelDir, 'config.json'), JSON.stringify({
  architectures: ['BertModel'], model_type: 'bert', hidden_size: DIMS, intermediate_size: 1536,
  max_position_embeddings: 512, num_attention_heads: 12, num_hidden_layers: 6, pad_token_id: 0,
  type_vocab_size: 2, vocab_size: 30522,
}));
fs.symlinkSync(FP32_ONNX, path.join(modelDir, 'onnx', 'model.onnx'));
process.on('exit', () => fs.rmSync(tmpRoot, { recursive: true, force: true }));
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = tmpRoot + path.sep;
env.useBrowserCache = false;
env.useFSCache = false;

const model = await AutoModel.from_pretrained(MODEL_ID, { dtype: 'fp32' });
const reference = JSON.parse(fs.readFileSync(REFERENCE, 'utf8'));
const records = [];
let worstNormalizedDiff = 0;
for (const id of IDS) {
  const t = reference.texts.find((x) => x.id === id);
  const n = t.stIds.length;
  const input_ids = new Tensor('int64', BigInt64Array.from(t.stIds, (v) => BigInt(v)), [1, n]);
  const attention_mask = new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
  const token_type_ids = new Tensor('int64', new BigInt64Array(n), [1, n]);
  const out = await model({ input_ids, attention_mask, token_type_ids });
  const pooled = Float32Array.from(mean_pooling(out.last_hidden_state, attention_mask).data);
  if (pooled.length !== DIMS) throw new Error(`text ${id}: ${pooled.length} dims`);
  // normalizing must give generate.mjs's embedding: same model, same ids, same pooling
  const normalized = Float32Array.from(
    new Tensor('float32', pooled, [1, DIMS]).normalize(2, -1).data);
  const embedding = base64ToF32(t.embedding);
  for (let i = 0; i < DIMS; i++) worstNormalizedDiff = Math.max(worstNormalizedDiff, Math.abs(normalized[i] - embedding[i]));
  const norm = Math.sqrt(pooled.reduce((s, v) => s + v * v, 0));
  records.push({ id, text: t.text, tokens: n, truncated: t.truncated, norm, pooled: f32ToBase64(pooled) });
}
if (worstNormalizedDiff > 1e-6) {
  console.error(`!!!!!!!! normalized pooled vectors differ from all-minilm-l6-v2.json by ${worstNormalizedDiff}`);
  process.exit(3);
}

const lines = ['{'];
const header = {
  generator: 'integration-tests/reference/pooled.mjs',
  transformersJsVersion: pkgVersion('@huggingface/transformers'),
  onnxruntimeNodeVersion: pkgVersion('onnxruntime-node'),
  model: { fp32: { file: path.basename(FP32_ONNX), bytes: fs.statSync(FP32_ONNX).size } },
  source: path.basename(REFERENCE),
  dims: DIMS,
  pooling: 'mean',
  normalize: false,
  encoding: {
    pooled: 'base64 of float32 little-endian, dims values: fp32 model on the source file\'s stIds (attention_mask 1, token_type_ids 0), transformers.js mean_pooling, not normalized',
    norm: 'L2 norm of pooled',
  },
  maxAbsDiffNormalizedVsSourceEmbedding: worstNormalizedDiff,
};
for (const [k, v] of Object.entries(header)) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
lines.push('  "texts": [');
records.forEach((r, i) => lines.push('    ' + JSON.stringify(r) + (i + 1 < records.length ? ',' : '')));
lines.push('  ]', '}', '');
fs.writeFileSync(OUT, lines.join('\n'));
JSON.parse(fs.readFileSync(OUT, 'utf8'));
console.log(`wrote ${OUT} (${fs.statSync(OUT).size} bytes): ${records.length} texts, norms ${records.map((r) => r.norm.toFixed(3)).join(' ')}`);
console.log(`normalized vs all-minilm-l6-v2.json embedding: max abs diff ${worstNormalizedDiff}`);
