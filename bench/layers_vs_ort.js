// Per-layer comparison with the peer: joins `hone run --profile --json` outputs with
// ort_profile.js outputs of the same model (several interleaved rounds of each) and prints, per
// convolution / GEMM shape, both engines' time summed over the layers of that shape, their ratio
// and hone's kernel, sorted by what hone loses most; then the other steps in total.
// Layers are matched by shape: (direct-algorithm FLOPs, output channels, height and width), so node
// names, fusions and layouts may differ between the engines. Per node, the time is the median
// of the per-round medians. With --peak (a `hone-peak --json` output at the same thread count),
// each row also gives both engines' layers as % of that peak (lowest..highest layer of the row),
// and a last line counts the conv layers of each engine at 85% of peak or more.
// Usage: node bench/layers_vs_ort.js --hone A.json[,B.json...] --ort C.json[,D.json...]
//        [--peak PEAK.json]
'use strict';
const fs = require('fs');
const {peaksAt} = require('./peak_figures');

function readJson(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not JSON: ${e.message}`);
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// Per node name: {step, times: [median of each round]} over every round's profile.
function mergeRounds(files, what) {
  const nodes = new Map();
  for (const file of files) {
    const run = readJson(file);
    if (!Array.isArray(run.profile)) throw new Error(`${file} has no "profile" array (${what})`);
    for (const s of run.profile) {
      if (!nodes.has(s.node)) nodes.set(s.node, {step: s, times: []});
      nodes.get(s.node).times.push(s.median_ms || 0);
    }
  }
  return [...nodes.values()].map(({step, times}) => ({...step, ms: median(times)}));
}

// Output height and width of an NCHW or blocked NCHW[b]c shape; null for other ranks.
const spatial = (shape) => (Array.isArray(shape) && shape.length >= 4 ? `${shape[2]}x${shape[3]}` : null);
// Output channels in blocks of 16 (hone's blocked shapes hold them padded to its block).
const channelBlocks = (shape) => Math.ceil((shape.length === 5 ? shape[1] * shape[4] : shape[1]) / 16);
const isConvGemm = (op) => /conv|gemm|matmul/i.test(op || '');
const keyOf = (s) => (isConvGemm(s.op) && s.flops > 0 && spatial(s.output)
  ? `${s.flops}@${channelBlocks(s.output)}x${spatial(s.output)}` : null);

function main() {
  const args = process.argv.slice(2);
  const files = {hone: [], ort: []};
  let peakFile = null;
  for (let i = 0; i < args.length; ++i) {
    if ((args[i] === '--hone' || args[i] === '--ort') && i + 1 < args.length)
      files[args[i].slice(2)] = args[++i].split(',').filter(Boolean);
    else if (args[i] === '--peak' && i + 1 < args.length) peakFile = args[++i];
    else throw new Error(`unexpected argument ${args[i]}`);
  }
  if (!files.hone.length || !files.ort.length)
    throw new Error('usage: node layers_vs_ort.js --hone A.json[,B.json] --ort C.json[,D.json] [--peak P.json]');
  const hone = mergeRounds(files.hone, 'hone run --profile --json');
  const ort = mergeRounds(files.ort, 'ort_profile.js');
  const threads = readJson(files.hone[0]).threads || 1;
  const peak = peakFile ? peaksAt(readJson(peakFile), threads).best : null;
  // A layer's share of the peak (GFLOP/s over peak GFLOP/s), in percent.
  const pct = (s) => (s.ms > 0 ? (100 * s.flops / (s.ms * 1e6)) / peak : 0);
  const pctRange = (list) => {
    if (!list.length) return '';
    const v = list.map(pct);
    const lo = Math.min(...v), hi = Math.max(...v);
    return lo.toFixed(0) === hi.toFixed(0) ? `${lo.toFixed(0)}%` : `${lo.toFixed(0)}..${hi.toFixed(0)}%`;
  };

  const groups = new Map();
  const other = {hone: 0, ort: 0, honeSteps: 0, ortSteps: 0};
  const add = (engine, s) => {
    const key = keyOf(s);
    if (!key) {
      other[engine] += s.ms;
      other[`${engine}Steps`] += 1;
      return;
    }
    if (!groups.has(key))
      groups.set(key, {key, flops: s.flops, hw: spatial(s.output), hone: [], ort: []});
    groups.get(key)[engine].push(s);
  };
  hone.forEach((s) => add('hone', s));
  ort.forEach((s) => add('ort', s));

  const sum = (list) => list.reduce((a, s) => a + s.ms, 0);
  const rows = [...groups.values()].map((g) => ({
    ...g, honeMs: sum(g.hone), ortMs: sum(g.ort),
    name: g.hone.length ? g.hone[0].node : g.ort[0].node,
    kernels: [...new Set(g.hone.map((s) => s.kernel || s.op))].join(' / '),
    weight: g.ort.length && g.ort[0].weight ? g.ort[0].weight.join('x') : (g.ort.length ? g.ort[0].op : ''),
  }));
  rows.sort((a, b) => (b.honeMs - b.ortMs) - (a.honeMs - a.ortMs));

  const hTotal = sum(hone), oTotal = sum(ort);
  console.log(`${files.hone.length} hone and ${files.ort.length} ORT profile rounds; per node the median ` +
              'of the round medians; layers matched by (FLOPs, output channels, HxW)' +
              (peak ? `; % of the measured peak at ${threads} thread(s), ${peak.toFixed(0)} GFLOP/s` : ''));
  console.log('');
  const pctHead = peak ? ' hone % peak | ORT % peak |' : '';
  console.log('| layers (first hone node) | n hone / ORT | ORT weight | out HxW | MFLOP each | hone ms | ORT ms | ' +
              `hone/ORT | hone − ORT ms |${pctHead} hone kernel |`);
  console.log(`| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |${peak ? ' ---: | ---: |' : ''} --- |`);
  for (const r of rows) {
    const ratio = r.ortMs > 0 ? (r.honeMs / r.ortMs).toFixed(2) : '';
    const pcts = peak ? ` ${pctRange(r.hone)} | ${pctRange(r.ort)} |` : '';
    console.log(`| ${r.name} | ${r.hone.length} / ${r.ort.length} | ${r.weight} | ${r.hw} | ` +
                `${(r.flops / 1e6).toFixed(1)} | ${r.honeMs.toFixed(3)} | ${r.ortMs.toFixed(3)} | ${ratio} | ` +
                `${(r.honeMs - r.ortMs).toFixed(3)} |${pcts} ${r.kernels} |`);
  }
  console.log(`| other steps | ${other.honeSteps} / ${other.ortSteps} | | | | ${other.hone.toFixed(3)} | ` +
              `${other.ort.toFixed(3)} | ${other.ort > 0 ? (other.hone / other.ort).toFixed(2) : ''} | ` +
              `${(other.hone - other.ort).toFixed(3)} |${peak ? ' | |' : ''} |`);
  console.log('');
  console.log(`summed step medians: hone ${hTotal.toFixed(2)} ms, ORT ${oTotal.toFixed(2)} ms, ` +
              `hone/ORT ${(hTotal / oTotal).toFixed(2)}`);
  if (peak) {
    const convs = (list) => list.filter((s) => keyOf(s) && /conv/i.test(s.op || ''));
    const atBar = (list) => convs(list).filter((s) => pct(s) >= 85).length;
    console.log(`conv layers at 85% of peak or more: hone ${atBar(hone)} of ${convs(hone).length}, ` +
                `ORT ${atBar(ort)} of ${convs(ort).length}`);
  }
}

try {
  main();
} catch (e) {
  console.error('layers_vs_ort: ' + e.message);
  process.exit(2);
}
