// Benchmark driver: for each model, alternates rounds of `hone run --json` and ONNX Runtime
// (ort_run.js) on the same ONNX file with the same thread count, and prints per model both
// medians (median of the per-round medians), their spread (min..max over rounds) and the
// ratio hone/ORT. Usage:
//   node bench/compare.js --hone build/hone --models models/resnet50.onnx,... [--threads 2]
//        [--rounds 5] [--repeat 10] [--warmup 2] [--hone-args "--opt-level 3"] [--markdown]
'use strict';
const {execFileSync} = require('child_process');
const path = require('path');

function parseArgs(argv) {
  const o = {hone: 'build/hone', models: [], threads: 2, rounds: 5, repeat: 10, warmup: 2,
             honeArgs: [], markdown: false};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--hone') o.hone = argv[++i];
    else if (a === '--models') o.models = argv[++i].split(',').filter(Boolean);
    else if (a === '--threads') o.threads = Number(argv[++i]);
    else if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--repeat') o.repeat = Number(argv[++i]);
    else if (a === '--warmup') o.warmup = Number(argv[++i]);
    else if (a === '--hone-args') o.honeArgs = argv[++i].split(' ').filter(Boolean);
    else if (a === '--markdown') o.markdown = true;
    else throw new Error('unknown argument ' + a);
  }
  if (!o.models.length) throw new Error('--models is required');
  return o;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function runJson(cmd, args) {
  const out = execFileSync(cmd, args, {encoding: 'utf8', maxBuffer: 64 << 20});
  // hone pretty-prints its JSON object; ort_run.js prints one line. Both are the whole stdout.
  return JSON.parse(out);
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const ortScript = path.join(__dirname, 'ort_run.js');
  const rows = [];
  for (const model of o.models) {
    const hone = [], ort = [];
    for (let r = 0; r < o.rounds; ++r) {
      hone.push(runJson(o.hone, ['run', model, '--json', '--fill-mode', 'random',
        '--repeat', String(o.repeat), '--warmup', String(o.warmup),
        '--threads', String(o.threads), ...o.honeArgs]).median_ms);
      ort.push(runJson('node', [ortScript, model, '--threads', String(o.threads),
        '--repeat', String(o.repeat), '--warmup', String(o.warmup)]).median_ms);
    }
    const row = {model: path.basename(model, '.onnx'), hone_ms: median(hone),
                 hone_min: Math.min(...hone), hone_max: Math.max(...hone), ort_ms: median(ort),
                 ort_min: Math.min(...ort), ort_max: Math.max(...ort)};
    row.ratio = row.hone_ms / row.ort_ms;
    rows.push(row);
    if (!o.markdown) console.log(JSON.stringify(row));
  }
  if (o.markdown) {
    console.log('| model | hone median ms (min..max) | ORT median ms (min..max) | hone/ORT |');
    console.log('| --- | --- | --- | --- |');
    const f = (x) => x.toFixed(1);
    for (const r of rows)
      console.log(`| ${r.model} | ${f(r.hone_ms)} (${f(r.hone_min)}..${f(r.hone_max)}) | ` +
                  `${f(r.ort_ms)} (${f(r.ort_min)}..${f(r.ort_max)}) | ${r.ratio.toFixed(2)} |`);
  }
}

try {
  main();
} catch (e) {
  console.error('compare: ' + e.message);
  process.exit(2);
}
