#!/usr/bin/env node
// Contender (f) of leaf-embed's speed benchmark: transformers.js on the same ONNX files, local only.
// Usage: node embed-bench.mjs <modelRoot> <modelId> <fp32|q8> <texts.json> <batchSize> <warmUpTexts>
// Prints one JSON line: {"texts": n, "seconds": s, "cpuSeconds": c} for the timed part only
// (mean pooling + normalize, the card's own JavaScript path; texts in the given order).
import fs from 'node:fs';
import path from 'node:path';
import { env, pipeline } from '@huggingface/transformers';

const [modelRoot, modelId, dtype, textsFile, batchArg, warmArg] = process.argv.slice(2);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.resolve(modelRoot) + path.sep;
env.useBrowserCache = false;
env.useFSCache = false;

const texts = JSON.parse(fs.readFileSync(textsFile, 'utf8'));
const batch = Number(batchArg);
const extractor = await pipeline('feature-extraction', modelId, { dtype });

async function embedAll(list) {
  let n = 0;
  for (let i = 0; i < list.length; i += batch) {
    const chunk = list.slice(i, i + batch);
    const out = await extractor(batch === 1 ? chunk[0] : chunk, { pooling: 'mean', normalize: true });
    n += out.dims[0];
  }
  return n;
}

await embedAll(texts.slice(0, Number(warmArg)));
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const n = await embedAll(texts);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ texts: n, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
