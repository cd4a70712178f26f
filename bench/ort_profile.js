// Peer measurement: ONNX Runtime's own per-node profile of a model (enableProfiling), reduced
// to one JSON object: per node its op, output shape, weight shape (convolutions), FLOPs (Conv,
// Gemm, MatMul) and the median kernel time over the timed runs. For benchmarks only; never a
// dependency of hone.
// Usage: node ort_profile.js MODEL [--threads N] [--repeat N] [--warmup N]
// Inputs are the deterministic uniform [0,1) values ort_run.js generates.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const npz = require('./npz.js');
const {parseOrtArgs} = require('./ort_args.js');

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const product = (dims) => dims.reduce((a, b) => a * b, 1);
const shapeOf = (entry) => (entry ? Object.values(entry)[0] : null);

// Multiply-adds x 2 the way hone counts them: convolutions by their direct algorithm.
function flopsOf(op, inputs, output) {
  if (!output) return 0;
  if (/conv/i.test(op) && inputs.length >= 2 && inputs[1].length >= 3)
    return 2 * product(output) * product(inputs[1].slice(1));
  if ((op === 'Gemm' || op === 'FusedGemm') && inputs.length >= 2) {
    const k = inputs[0][inputs[0].length - 1];
    return 2 * product(output) * k;
  }
  if (op === 'MatMul' && inputs.length >= 2) return 2 * product(output) * inputs[0][inputs[0].length - 1];
  return 0;
}

async function main() {
  const opts = parseOrtArgs(process.argv.slice(2),
      'usage: node ort_profile.js MODEL [--threads N] [--repeat N] [--warmup N]');
  const ort = require('onnxruntime-node');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ort-profile-'));
  try {
    const session = await ort.InferenceSession.create(opts.model, {
      intraOpNumThreads: opts.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      enableProfiling: true,
      profileFilePrefix: path.join(dir, 'profile'),
    });
    const feeds = {};
    session.inputMetadata.forEach((m, i) => {
      if (!m.shape) throw new Error(`input '${m.name}': shape unknown`);
      const dims = m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
      const dtype = m.type || 'float32';
      feeds[m.name] = new ort.Tensor(dtype, npz.makeInput(dtype, dims, 12345 + i), dims);
    });
    const runs = opts.warmup + opts.repeat;
    for (let i = 0; i < runs; ++i) await session.run(feeds);
    session.endProfiling();
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    if (files.length !== 1) throw new Error(`expected one profile file in ${dir}, found ${files.length}`);
    const events = JSON.parse(fs.readFileSync(path.join(dir, files[0]), 'utf8'));
    const nodes = new Map();
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
      const name = e.name.slice(0, -'_kernel_time'.length);
      if (!nodes.has(name)) {
        const inputs = (e.args.input_type_shape || []).map(shapeOf);
        const output = shapeOf((e.args.output_type_shape || [])[0]);
        const op = e.args.op_name;
        nodes.set(name, {node: name, op, output, weight: /conv/i.test(op) ? inputs[1] || null : null,
                         flops: flopsOf(op, inputs, output), first_ts: e.ts, times: []});
      }
      nodes.get(name).times.push(e.dur / 1000);
    }
    const profile = [...nodes.values()].sort((a, b) => a.first_ts - b.first_ts).map((n) => {
      // Only the timed runs: the first `warmup` samples of each node are warm-up.
      const timed = n.times.slice(-opts.repeat);
      return {node: n.node, op: n.op, output: n.output, weight: n.weight, flops: n.flops,
              median_ms: median(timed)};
    });
    console.log(JSON.stringify({engine: 'onnxruntime', version: ort.env.versions.common,
                                model: opts.model, threads: opts.threads, repeat: opts.repeat,
                                warmup: opts.warmup, profile}));
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

main().catch((e) => {
  console.error('ort_profile: ' + e.message);
  process.exit(2);
});
