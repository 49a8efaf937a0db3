#!/usr/bin/env node
// Reference generator for leaf-embed (offline).
//
// Produces operators/src/test/resources/reference/all-minilm-l6-v2.json:
//   - stIds: sentence-transformers token ids, computed with the Hugging Face Rust tokenizer
//     (npm package `tokenizers`, loaded from tokenizer.json), special tokens added,
//     truncation longest_first to 256, no padding.
//   - jsIds: transformers.js's own (JavaScript) tokenizer ids, untruncated.
//   - embedding / embeddingQ8: transformers.js's model (fp32 / q8 ONNX) run on stIds,
//     pooled with transformers.js's mean_pooling and Tensor.normalize.
//
// Usage: node generate.mjs [--model-fp32 F] [--model-q8 F] [--tokenizer F] [--corpus F] [--out F]
// Environment overrides: LEAF_REF_MODEL_FP32, LEAF_REF_MODEL_Q8, LEAF_REF_TOKENIZER,
//                        LEAF_REF_CORPUS, LEAF_REF_OUT.
// See README.md.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { env, AutoTokenizer, AutoModel, Tensor, mean_pooling, pipeline } from '@huggingface/transformers';
import tokenizersPkg from 'tokenizers';

const { Tokenizer } = tokenizersPkg;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');

const MAX_LENGTH = 256;
const DIMS = 384;
const CLS = 101, SEP = 102, UNK = 100;
const PIPELINE_TOLERANCE = 1e-6;

// ---------------------------------------------------------------- arguments
function arg(name, envName, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return path.resolve(process.argv[i + 1]);
  if (process.env[envName]) return path.resolve(process.env[envName]);
  return dflt;
}
const MODELS = path.join(REPO, 'operators', 'target', 'test-models');
const FP32_ONNX = arg('model-fp32', 'LEAF_REF_MODEL_FP32', path.join(MODELS, 'all-minilm-l6-v2', 'all-minilm-l6-v2.onnx'));
const Q8_ONNX = arg('model-q8', 'LEAF_REF_MODEL_Q8', path.join(MODELS, 'all-minilm-l6-v2-q', 'all-minilm-l6-v2-q.onnx'));
const TOKENIZER_JSON = arg('tokenizer', 'LEAF_REF_TOKENIZER', path.join(MODELS, 'all-minilm-l6-v2', 'all-minilm-l6-v2-tokenizer.json'));
const CORPUS = arg('corpus', 'LEAF_REF_CORPUS', path.join(HERE, 'corpus.json'));
const OUT = arg('out', 'LEAF_REF_OUT', path.join(REPO, 'operators', 'src', 'test', 'resources', 'reference', 'all-minilm-l6-v2.json'));

for (const f of [FP32_ONNX, Q8_ONNX, TOKENIZER_JSON, CORPUS]) {
  if (!fs.existsSync(f)) {
    console.error(`Missing input file: ${f}\nSee README.md (model unpack step) or pass --model-fp32/--model-q8/--tokenizer.`);
    process.exit(2);
  }
}

// ---------------------------------------------------------------- helpers
// Versions as installed (read from node_modules; some packages do not export package.json).
const pkgVersion = (name) =>
  JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')).version;
const transformersVersion = pkgVersion('@huggingface/transformers');
const tokenizersVersion = pkgVersion('tokenizers');
const jsTokenizersVersion = pkgVersion('@huggingface/tokenizers');
const onnxruntimeNodeVersion = pkgVersion('onnxruntime-node');

function f32ToBase64(arr) {
  if (arr.length !== DIMS) throw new Error(`expected ${DIMS} dims, got ${arr.length}`);
  const buf = Buffer.alloc(arr.length * 4);
  for (let i = 0; i < arr.length; i++) buf.writeFloatLE(arr[i], i * 4);
  return buf.toString('base64');
}
const eqArr = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
// The non-BMP ranges of the Rust BertNormalizer's is_chinese_char.
const NON_BMP_CJK_SRC = '[\\u{20000}-\\u{2A6DF}\\u{2A700}-\\u{2B73F}\\u{2B740}-\\u{2B81F}\\u{2B920}-\\u{2CEAF}\\u{2F800}-\\u{2FA1F}]';
const NON_BMP_CJK = new RegExp(NON_BMP_CJK_SRC, 'u');
const NON_BMP_CJK_G = new RegExp(NON_BMP_CJK_SRC, 'gu');
// Python str.isspace() characters, i.e. what sentence-transformers' `str(s).strip()` removes.
const PY_WS = '\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
function pyStrip(s) {
  let a = 0, b = s.length;
  while (a < b && PY_WS.includes(s[a])) a++;
  while (b > a && PY_WS.includes(s[b - 1])) b--;
  return s.slice(a, b);
}
function stTruncate(ids) { // sentence-transformers style on an id list that has CLS ... SEP
  return ids.length > MAX_LENGTH ? [...ids.slice(0, MAX_LENGTH - 1), SEP] : ids;
}

// ---------------------------------------------------------------- temp model folder
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'leaf-embed-ref-'));
const MODEL_ID = 'all-minilm-l6-v2';
const modelDir = path.join(tmpRoot, MODEL_ID);
fs.mkdirSync(path.join(modelDir, 'onnx'), { recursive: true });
fs.writeFileSync(path.join(modelDir, 'config.json'), JSON.stringify({
  _name_or_path: 'sentence-transformers/all-MiniLM-L6-v2',
  architectures: ['BertModel'],
  model_type: 'bert',
  attention_probs_dropout_prob: 0.1,
  classifier_dropout: null,
  gradient_checkpointing: false,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  hidden_size: 384,
  initializer_range: 0.02,
  intermediate_size: 1536,
  layer_norm_eps: 1e-12,
  max_position_embeddings: 512,
  num_attention_heads: 12,
  num_hidden_layers: 6,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
  type_vocab_size: 2,
  use_cache: true,
  vocab_size: 30522,
}, null, 2));
fs.copyFileSync(TOKENIZER_JSON, path.join(modelDir, 'tokenizer.json'));
fs.writeFileSync(path.join(modelDir, 'tokenizer_config.json'), JSON.stringify({
  clean_up_tokenization_spaces: true,
  cls_token: '[CLS]',
  do_basic_tokenize: true,
  do_lower_case: true,
  mask_token: '[MASK]',
  model_max_length: 512,
  never_split: null,
  pad_token: '[PAD]',
  sep_token: '[SEP]',
  strip_accents: null,
  tokenize_chinese_chars: true,
  tokenizer_class: 'BertTokenizer',
  unk_token: '[UNK]',
}, null, 2));
fs.symlinkSync(FP32_ONNX, path.join(modelDir, 'onnx', 'model.onnx'));
fs.symlinkSync(Q8_ONNX, path.join(modelDir, 'onnx', 'model_quantized.onnx'));
const cleanup = () => fs.rmSync(tmpRoot, { recursive: true, force: true });
process.on('exit', cleanup);

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = tmpRoot + path.sep;
env.useBrowserCache = false;
env.useFSCache = false;

// ---------------------------------------------------------------- tokenizers
// Rust tokenizer, sentence-transformers settings. tokenizer.json carries truncation 128 and
// fixed padding 128: both are replaced explicitly.
const rustTok = Tokenizer.fromFile(TOKENIZER_JSON);
rustTok.disablePadding();
rustTok.setTruncation(MAX_LENGTH, { strategy: 'LongestFirst', direction: 'right', stride: 0 });
const rustFull = Tokenizer.fromFile(TOKENIZER_JSON);
rustFull.disablePadding();
rustFull.disableTruncation();
const rustIds = async (tok, text) => (await tok.encode(text, null, { addSpecialTokens: true })).getIds();

const jsTok = await AutoTokenizer.from_pretrained(MODEL_ID);
const jsIdsOf = (text) => jsTok.encode(text, { add_special_tokens: true }).map(Number);

// Sanity checks from FACTS.md
{
  const ids = await rustIds(rustTok, 'What is machine learning?');
  if (!eqArr(ids, [101, 2054, 2003, 3698, 4083, 1029, 102])) throw new Error(`unexpected ids ${ids}`);
}

// ---------------------------------------------------------------- models
const modelFp32 = await AutoModel.from_pretrained(MODEL_ID, { dtype: 'fp32' });
const modelQ8 = await AutoModel.from_pretrained(MODEL_ID, { dtype: 'q8' });
const extractor = await pipeline('feature-extraction', MODEL_ID, { dtype: 'fp32' });

async function embed(model, ids) {
  const n = ids.length;
  const input_ids = new Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, n]);
  const attention_mask = new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
  const token_type_ids = new Tensor('int64', new BigInt64Array(n), [1, n]);
  const out = await model({ input_ids, attention_mask, token_type_ids });
  const pooled = mean_pooling(out.last_hidden_state, attention_mask).normalize(2, -1);
  if (!(pooled.data instanceof Float32Array)) throw new Error('expected float32 output');
  return Float32Array.from(pooled.data);
}

// ---------------------------------------------------------------- quirk diagnosis
// Works on untruncated sequences. Returns null when the JS ids (truncated the
// sentence-transformers way) equal the Rust ids, else a label.
async function diagnose(text, stIdsTrunc, jsIds, rustFullIds) {
  if (eqArr(stTruncate(jsIds), stIdsTrunc)) return { quirk: null };
  const labels = [];
  let t = text, js = jsIds, rs = rustFullIds;
  // Greek final sigma: Rust lowercases Σ to σ everywhere, JS gives ς at word end.
  // Neutralise by lowercasing Σ to σ before tokenizing (does not change the Rust ids).
  if (t.includes('\u03a3')) {
    const t2 = t.replace(/\u03a3/g, '\u03c3');
    const rs2 = await rustIds(rustFull, t2);
    if (!eqArr(rs2, rs)) throw new Error('sigma neutralisation changed the Rust ids');
    const js2 = jsIdsOf(t2);
    if (!eqArr(js2, js)) { labels.push('greek-final-sigma'); t = t2; js = js2; }
  }
  if (!eqArr(js, rs) && NON_BMP_CJK.test(t)) {
    // CJK ideographs outside the Basic Multilingual Plane (Extension B and later, compatibility
    // supplement): the Rust BertPreTokenizer/normalizer isolates each one as its own word
    // (one [UNK] each); transformers.js does not recognise them as Chinese characters, so a run
    // of them and any adjacent letters stays one word (one [UNK]). Neutralise by putting
    // spaces around each such character (does not change the Rust ids).
    const t2 = t.replace(NON_BMP_CJK_G, ' $& ');
    const rs2 = await rustIds(rustFull, t2);
    if (!eqArr(rs2, rs)) throw new Error('non-BMP neutralisation changed the Rust ids');
    const js2 = jsIdsOf(t2);
    if (!eqArr(js2, js)) { labels.push('non-bmp'); t = t2; js = js2; }
  }
  const explained = labels.length > 0 && eqArr(js, rs);
  return { quirk: explained ? labels.join('+') : 'unexpected' + (labels.length ? '+' + labels.join('+') : '') };
}

// ---------------------------------------------------------------- main loop
const corpus = JSON.parse(fs.readFileSync(CORPUS, 'utf8')).texts;
const records = [];
const unexpected = [];
const stripWarnings = [];
let pipeMaxDiff = 0, pipeCount = 0;
let cosSum = 0, cosMin = Infinity, cosCount = 0;
const t0 = Date.now();

for (const item of corpus) {
  const { id, category, text } = item;
  const stIds = await rustIds(rustTok, text);
  const fullIds = await rustIds(rustFull, text);
  const jsIds = jsIdsOf(text);
  if (!eqArr(stTruncate(fullIds), stIds)) throw new Error(`text ${id}: Rust truncation is not [CLS]+first N-2+[SEP]`);
  if (stIds.length > MAX_LENGTH) throw new Error(`text ${id}: too long`);

  // sentence-transformers strips the text (Python str.strip) before tokenizing; check that
  // this never changes the ids for this corpus.
  const stripped = pyStrip(text);
  if (stripped !== text && !eqArr(await rustIds(rustTok, stripped), stIds)) stripWarnings.push(id);

  const { quirk } = await diagnose(text, stIds, jsIds, fullIds);
  if (quirk && quirk.startsWith('unexpected')) {
    unexpected.push(id);
    const toks = (ids) => ids.map((i) => rustFull.idToToken(i)).join(' ');
    console.error(`\n!!!!!!!! UNEXPECTED TOKENIZER MISMATCH text ${id} (${category}): ${JSON.stringify(text).slice(0, 200)}`);
    console.error(`  rust: ${toks(fullIds).slice(0, 600)}`);
    console.error(`  js  : ${toks(jsIds).slice(0, 600)}`);
  }

  const embedding = await embed(modelFp32, stIds);
  const embeddingQ8 = await embed(modelQ8, stIds);
  let dot = 0;
  for (let i = 0; i < DIMS; i++) dot += embedding[i] * embeddingQ8[i];
  cosSum += dot; cosMin = Math.min(cosMin, dot); cosCount++;

  if (quirk === null && fullIds.length <= MAX_LENGTH) {
    const p = await extractor(text, { pooling: 'mean', normalize: true });
    const pd = p.data;
    let m = 0;
    for (let i = 0; i < DIMS; i++) m = Math.max(m, Math.abs(pd[i] - embedding[i]));
    pipeMaxDiff = Math.max(pipeMaxDiff, m);
    pipeCount++;
    if (m > PIPELINE_TOLERANCE) console.error(`!!!!!!!! pipeline differs for text ${id}: ${m}`);
  }

  records.push({
    id, category, text, stIds, jsIds, quirk,
    truncated: fullIds.length > MAX_LENGTH,
    fullTokenCount: fullIds.length,
    embedding: f32ToBase64(embedding),
    embeddingQ8: f32ToBase64(embeddingQ8),
  });
}

// ---------------------------------------------------------------- output
const quirkCounts = {};
for (const r of records) if (r.quirk) quirkCounts[r.quirk] = (quirkCounts[r.quirk] || 0) + 1;
const stats = {
  texts: records.length,
  truncatedTexts: records.filter((r) => r.truncated).length,
  quirkCounts,
  unexpectedMismatchIds: unexpected,
  pipelineCheckedTexts: pipeCount,
  pipelineMaxAbsDiff: pipeMaxDiff,
  meanCosineFp32Q8: cosSum / cosCount,
  minCosineFp32Q8: cosMin,
};
const header = {
  generator: 'integration-tests/reference/generate.mjs',
  transformersJsVersion: transformersVersion,
  transformersJsTokenizerPackage: `@huggingface/tokenizers@${jsTokenizersVersion}`,
  onnxruntimeNodeVersion,
  tokenizersPackage: 'tokenizers',
  tokenizersVersion,
  model: {
    fp32: { file: path.basename(FP32_ONNX), bytes: fs.statSync(FP32_ONNX).size },
    q8: { file: path.basename(Q8_ONNX), bytes: fs.statSync(Q8_ONNX).size },
    tokenizer: { file: path.basename(TOKENIZER_JSON), bytes: fs.statSync(TOKENIZER_JSON).size },
  },
  maxLength: MAX_LENGTH,
  dims: DIMS,
  pooling: 'mean',
  normalize: true,
  encoding: {
    stIds: 'Rust HF tokenizer ids, special tokens added, truncation longest_first to maxLength ([CLS] + first maxLength-2 pieces + [SEP]), no padding',
    jsIds: 'transformers.js tokenizer ids, special tokens added, no truncation',
    quirk: 'null when jsIds truncated sentence-transformers style (first maxLength-1 ids + [SEP]) equal stIds; otherwise the reason',
    embedding: 'base64 of float32 little-endian, dims values; fp32 model on stIds, attention_mask 1, token_type_ids 0, mean pooling, L2 normalize',
    embeddingQ8: 'same as embedding with the int8 (q8) model',
  },
  stats,
};
// One text per line keeps the file diffable.
const lines = ['{'];
for (const [k, v] of Object.entries(header)) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
lines.push('  "texts": [');
records.forEach((r, i) => lines.push('    ' + JSON.stringify(r) + (i + 1 < records.length ? ',' : '')));
lines.push('  ]', '}', '');
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, lines.join('\n'));
JSON.parse(fs.readFileSync(OUT, 'utf8')); // validate

console.log(`wrote ${OUT} (${fs.statSync(OUT).size} bytes) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(JSON.stringify(stats, null, 2));
for (const r of records) if (r.quirk) console.log(`  quirk ${r.quirk}: #${r.id} ${JSON.stringify(r.text).slice(0, 80)}`);
if (stripWarnings.length) console.error(`!!!!!!!! Python-style strip changes the Rust ids for texts ${stripWarnings}`);
if (pipeMaxDiff > PIPELINE_TOLERANCE) console.error(`!!!!!!!! pipeline max abs diff ${pipeMaxDiff} > ${PIPELINE_TOLERANCE}`);
if (unexpected.length) {
  console.error(`\n!!!!!!!! ${unexpected.length} UNEXPECTED tokenizer mismatch(es): texts ${unexpected.join(', ')}`);
  process.exitCode = 3;
}
