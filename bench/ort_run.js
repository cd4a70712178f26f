// Peer measurement: runs an ONNX model with ONNX Runtime's CPU engine (npm onnxruntime-node)
// and prints one JSON object with latency statistics in ms, session start-up time and memory.
// For benchmarks only; never a dependency of hone.
// Usage: node ort_run.js MODEL [--threads N] [--repeat N] [--warmup N] [--inputs IN.npz]
//                              [--outputs OUT.npz]
// Without --inputs every input is filled with deterministic uniform [0,1) values (symbolic
// dimensions taken as 1). --outputs writes the last run's outputs, named after the graph's.
'use strict';
// Node's own resident memory before ONNX Runtime is loaded, so readers can tell ORT's share
// of the process's peak from the JavaScript engine's.
const baselineRssBytes = process.memoryUsage().rss;
const npz = require('./npz.js');
const {parseOrtArgs} = require('./ort_args.js');


function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
  return {mean_ms: mean, median_ms: median, min_ms: s[0], max_ms: s[s.length - 1], std_ms: std};
}


function makeFeeds(ort, session, file) {
  const feeds = {};
  const given = file ? npz.readNpz(file) : {};
  const meta = session.inputMetadata || session.inputNames.map((name) => ({name}));
  meta.forEach((m, i) => {
    const name = m.name;
    if (given[name]) {
      const a = given[name];
      feeds[name] = new ort.Tensor(a.dtype, a.data, a.shape);
      return;
    }
    if (file) throw new Error(`--inputs ${file} has no array '${name}' (a model input)`);
    if (!m.shape) throw new Error(`input '${name}': shape unknown, pass --inputs`);
    const dims = m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const dtype = m.type || 'float32';
    feeds[name] = new ort.Tensor(dtype, npz.makeInput(dtype, dims, 12345 + i), dims);
  });
  for (const name of Object.keys(given))
    if (!(name in feeds)) throw new Error(`--inputs ${file}: array '${name}' is not a model input`);
  return feeds;
}

async function main() {
  const opts = parseOrtArgs(process.argv.slice(2),
      'usage: node ort_run.js MODEL [--threads N] [--repeat N] [--warmup N] [--inputs F] [--outputs F]',
      ['--inputs', '--outputs']);
  const ort = require('onnxruntime-node');
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(opts.model, {
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const createMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const feeds = makeFeeds(ort, session, opts.inputs);
  let results = null;
  for (let i = 0; i < opts.warmup; ++i) results = await session.run(feeds);
  const times = [];
  for (let i = 0; i < opts.repeat; ++i) {
    const t = process.hrtime.bigint();
    results = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  if (opts.outputs) {
    npz.writeNpz(opts.outputs, session.outputNames.map((name) => ({
      name, dtype: results[name].type, shape: results[name].dims.map(Number), data: results[name].data})));
  }
  const r = {engine: 'onnxruntime', version: ort.env.versions.common, model: opts.model,
             threads: opts.threads, repeat: opts.repeat, warmup: opts.warmup, ...stats(times),
             samples_ms: times, session_create_ms: createMs,
             peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
             node_baseline_rss_bytes: baselineRssBytes};
  if (opts.outputs) r.outputs_file = opts.outputs;
  console.log(JSON.stringify(r));
}

main().catch((e) => {
  console.error('ort_run: ' + e.message);
  process.exit(2);
});
