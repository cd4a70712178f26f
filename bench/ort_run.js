// Peer measurement: runs an ONNX model with ONNX Runtime's CPU engine (npm onnxruntime-node)
// and prints one JSON object with latency statistics in ms. For benchmarks only; never a
// dependency of hone. Usage: node ort_run.js MODEL [--threads N] [--repeat N] [--warmup N]
'use strict';
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const opts = {threads: 2, repeat: 20, warmup: 3, model: null};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--threads') opts.threads = Number(argv[++i]);
    else if (a === '--repeat') opts.repeat = Number(argv[++i]);
    else if (a === '--warmup') opts.warmup = Number(argv[++i]);
    else if (!opts.model) opts.model = a;
    else throw new Error('unexpected argument ' + a);
  }
  if (!opts.model) throw new Error('usage: node ort_run.js MODEL [--threads N] [--repeat N] [--warmup N]');
  return opts;
}

function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
  return {mean_ms: mean, median_ms: median, min_ms: s[0], max_ms: s[s.length - 1], std_ms: std};
}

function makeInput(meta) {
  const dims = meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let state = 12345;
  for (let i = 0; i < n; ++i) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = (state >>> 8) / 16777216;
  }
  return new ort.Tensor('float32', data, dims);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(opts.model, {
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const meta of session.inputMetadata) feeds[meta.name] = makeInput(meta);
  for (let i = 0; i < opts.warmup; ++i) await session.run(feeds);
  const times = [];
  for (let i = 0; i < opts.repeat; ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const r = {engine: 'onnxruntime', version: ort.env.versions.common, model: opts.model,
             threads: opts.threads, repeat: opts.repeat, ...stats(times)};
  console.log(JSON.stringify(r));
}

main().catch((e) => {
  console.error('ort_run: ' + e.message);
  process.exit(2);
});
