// Benchmark driver: hone vs ONNX Runtime (ort_run.js) on the same ONNX files, the same input
// (.npz written here, given to both) and the same thread count, in interleaved rounds. Per
// model it reports both medians (median of the per-round medians), their spread (lowest and
// highest round median), the ratio hone/ORT, the largest |output difference| between the two
// engines, peak resident memory of each process, hone's start-up (load + optimize + pack) and
// ORT's session creation time. Usage:
//   node bench/compare.js --hone build/hone --models models/resnet50.onnx,... [--threads 2]
//        [--rounds 5] [--repeat 10] [--warmup 2] [--hone-args "--opt-level 3"] [--markdown]
//        [--workdir DIR] [--json-out FILE] [--timeout SECONDS] [--progress (to stderr)]
'use strict';
const {spawnSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const npz = require('./npz.js');

// Splits a flag string like a shell would for the simple cases: spaces separate words,
// single or double quotes group them (so --input-shapes "a:[1,3] b:[2]" stays one value).
function splitArgs(s) {
  const out = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m, word = null, last = -1;
  while ((m = re.exec(s || ''))) {
    const part = m[1] ?? m[2] ?? m[3];
    // Pieces with no space between them (--x="a b") are one word.
    if (word !== null && m.index === last) word += part;
    else {
      if (word !== null) out.push(word);
      word = part;
    }
    last = re.lastIndex;
  }
  if (word !== null) out.push(word);
  return out;
}

function parseArgs(argv) {
  const o = {hone: 'build/hone', models: [], threads: 2, rounds: 5, repeat: 10, warmup: 2,
             honeArgs: [], markdown: false, workdir: null, jsonOut: null, timeout: 1800,
             progress: false};
  const num = (flag, v, min) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got '${v}'`);
    return n;
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--hone') o.hone = v();
    else if (a === '--models') o.models = v().split(',').filter(Boolean);
    else if (a === '--threads') o.threads = num(a, v(), 1);
    else if (a === '--rounds') o.rounds = num(a, v(), 1);
    else if (a === '--repeat') o.repeat = num(a, v(), 1);
    else if (a === '--warmup') o.warmup = num(a, v(), 0);
    else if (a === '--hone-args') o.honeArgs = splitArgs(v());
    else if (a === '--markdown') o.markdown = true;
    else if (a === '--workdir') o.workdir = v();
    else if (a === '--json-out') o.jsonOut = v();
    else if (a === '--timeout') o.timeout = num(a, v(), 1);
    else if (a === '--progress') o.progress = true;
    else throw new Error('unknown argument ' + a);
  }
  if (!o.models.length) throw new Error('--models is required');
  for (const m of o.models) if (!fs.existsSync(m)) throw new Error(`model file ${m} does not exist`);
  if (!fs.existsSync(o.hone)) throw new Error(`hone binary ${o.hone} does not exist (build it first)`);
  return o;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const kTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

// Runs a command that prints one JSON object; returns it with the process's wall time and peak
// resident memory (from GNU time, when installed). Throws with the command's own message.
function runJson(what, cmd, args, o) {
  const rssFile = path.join(o.workdir, 'rss.txt');
  const argv = kTime ? [kTime, '-f', '%M', '-o', rssFile, cmd, ...args] : [cmd, ...args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', maxBuffer: 256 << 20,
                                               timeout: o.timeout * 1000});
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) {
    const msg = (r.stderr || '').trim().split('\n').filter((l) => !/^Command exited/.test(l)).pop();
    throw new Error(`${what} failed (exit ${r.status ?? r.signal}): ${msg || 'no message'}`);
  }
  let json;
  try {
    json = JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`${what}: output is not JSON (${e.message})`);
  }
  let rss = null;
  if (kTime) {
    const kb = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    if (kb > 0) rss = kb * 1024;
  }
  return {json, wallMs, rss};
}

// The --input-shapes flag (if any) of the hone arguments, for `hone info`.
function shapeArgs(honeArgs) {
  const i = honeArgs.findIndex((a) => a === '--input-shapes' || a.startsWith('--input-shapes='));
  if (i < 0) return [];
  return honeArgs[i].includes('=') ? [honeArgs[i]] : honeArgs.slice(i, i + 2);
}

// Largest |hone - ORT| over every output (matched by name) and the ORT output's largest
// magnitude, its scale. NaN where one engine has NaN and the other not.
function outputDiff(honeFile, ortFile) {
  const h = npz.readNpz(honeFile), r = npz.readNpz(ortFile);
  let maxAbs = 0, scale = 0;
  const names = Object.keys(r);
  if (!names.length) throw new Error('ORT wrote no outputs');
  for (const name of names) {
    if (!h[name]) throw new Error(`hone's outputs lack '${name}' (it has: ${Object.keys(h).join(', ')})`);
    if (JSON.stringify(h[name].shape) !== JSON.stringify(r[name].shape))
      throw new Error(`output '${name}': hone shape [${h[name].shape}] vs ORT [${r[name].shape}]`);
    const a = h[name].data, b = r[name].data;
    for (let i = 0; i < a.length; ++i) {
      const x = Number(a[i]), y = Number(b[i]);
      if (Number.isNaN(x) !== Number.isNaN(y)) maxAbs = NaN;
      else if (!Number.isNaN(x)) {
        maxAbs = Math.max(maxAbs, Math.abs(x - y));
        scale = Math.max(scale, Math.abs(y));
      }
    }
  }
  return {maxAbs, scale};
}

function benchModel(model, o, ortScript) {
  const name = path.basename(model, '.onnx');
  const info = runJson(`hone info ${name}`, o.hone, ['info', model, '--json', ...shapeArgs(o.honeArgs)], o).json;
  const inputFile = path.join(o.workdir, `${name}.in.npz`);
  npz.writeNpz(inputFile, info.inputs.map((inp, i) => ({
    name: inp.name, dtype: inp.dtype, shape: inp.shape, data: npz.makeInput(inp.dtype, inp.shape, 1 + i)})));
  const honeOut = path.join(o.workdir, `${name}.hone.npz`);
  const ortOut = path.join(o.workdir, `${name}.ort.npz`);
  const common = ['--inputs', inputFile, '--threads', String(o.threads)];
  const honeRun = (extra) => ['run', model, '--json', ...common, ...extra, ...o.honeArgs];
  const h = {ms: [], rss: [], startup: []}, r = {ms: [], rss: [], create: []};
  let ortBaseline = null;
  for (let round = 0; round < o.rounds; ++round) {
    const save = round === 0;
    if (o.progress) process.stderr.write(`compare: ${name} round ${round + 1}/${o.rounds}\n`);
    const steps = [
      () => {
        const res = runJson(`hone run ${name}`, o.hone, honeRun(['--repeat', String(o.repeat),
          '--warmup', String(o.warmup), ...(save ? ['--outputs', honeOut] : [])]), o);
        h.ms.push(res.json.median_ms);
        if (res.rss) h.rss.push(res.rss);
        // Start-up: hone's own figure when it reports one, else a one-run process's wall time
        // minus that run (process start + load + optimize + pack + input read + JSON out).
        const j = res.json;
        if (typeof j.startup_ms === 'number') h.startup.push(j.startup_ms);
        else if (typeof j.load_ms === 'number' && typeof j.prepare_ms === 'number') h.startup.push(j.load_ms + j.prepare_ms);
        else {
          const one = runJson(`hone run ${name} (start-up)`, o.hone, honeRun(['--repeat', '1', '--warmup', '0']), o);
          h.startup.push(one.wallMs - one.json.samples_ms[0]);
        }
      },
      () => {
        const res = runJson(`ORT ${name}`, 'node', [ortScript, model, ...common, '--repeat', String(o.repeat),
          '--warmup', String(o.warmup), ...(save ? ['--outputs', ortOut] : [])], o);
        r.ms.push(res.json.median_ms);
        r.create.push(res.json.session_create_ms);
        r.rss.push(res.rss || res.json.peak_rss_bytes);
        ortBaseline = res.json.node_baseline_rss_bytes;
      },
    ];
    // Alternate which engine goes first, so a drift in machine speed hits both alike.
    if (round % 2) steps.reverse();
    for (const step of steps) step();
  }
  const diff = outputDiff(honeOut, ortOut);
  const row = {
    model: name, gflop: info.gflop, threads: o.threads, rounds: o.rounds, repeat: o.repeat,
    hone_ms: median(h.ms), hone_min: Math.min(...h.ms), hone_max: Math.max(...h.ms), hone_rounds_ms: h.ms,
    ort_ms: median(r.ms), ort_min: Math.min(...r.ms), ort_max: Math.max(...r.ms), ort_rounds_ms: r.ms,
    max_abs_diff: diff.maxAbs, output_scale: diff.scale, rel_diff: diff.scale > 0 ? diff.maxAbs / diff.scale : diff.maxAbs,
    hone_startup_ms: median(h.startup), ort_session_create_ms: median(r.create),
    hone_peak_rss_bytes: h.rss.length ? Math.max(...h.rss) : null,
    ort_peak_rss_bytes: r.rss.length ? Math.max(...r.rss) : null, ort_node_baseline_rss_bytes: ortBaseline,
  };
  row.ratio = row.hone_ms / row.ort_ms;
  return row;
}

function printMarkdown(rows, o) {
  const f1 = (x) => (x == null ? 'n/a' : x.toFixed(1));
  const mb = (x) => (x == null ? 'n/a' : (x / 1048576).toFixed(0));
  const e = (x) => (Number.isNaN(x) ? 'NaN' : x.toExponential(1));
  console.log(`threads ${o.threads}, ${o.rounds} rounds x ${o.repeat} runs (after ${o.warmup} warm-up) per engine` +
              (o.honeArgs.length ? `, hone args: ${o.honeArgs.join(' ')}` : ''));
  console.log('');
  console.log('| model | GFLOP | hone ms (min..max) | ORT ms (min..max) | hone/ORT | max abs diff (rel) | ' +
              'hone start-up s | ORT create s | peak RSS MB hone / ORT (node base) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    if (r.error) {
      console.log(`| ${r.model} | | FAILED: ${r.error.replace(/\|/g, '/')} | | | | | | |`);
      continue;
    }
    console.log(`| ${r.model} | ${r.gflop.toFixed(2)} | ${f1(r.hone_ms)} (${f1(r.hone_min)}..${f1(r.hone_max)}) | ` +
                `${f1(r.ort_ms)} (${f1(r.ort_min)}..${f1(r.ort_max)}) | ${r.ratio.toFixed(2)} | ` +
                `${e(r.max_abs_diff)} (${e(r.rel_diff)}) | ${(r.hone_startup_ms / 1000).toFixed(2)} | ` +
                `${(r.ort_session_create_ms / 1000).toFixed(2)} | ${mb(r.hone_peak_rss_bytes)} / ` +
                `${mb(r.ort_peak_rss_bytes)} (${mb(r.ort_node_baseline_rss_bytes)}) |`);
  }
  const ok = rows.filter((r) => !r.error);
  if (ok.length > 1) {
    const geo = Math.exp(ok.reduce((a, r) => a + Math.log(r.ratio), 0) / ok.length);
    console.log(`\ngeometric mean of hone/ORT over ${ok.length} models: ${geo.toFixed(2)}`);
  }
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const ownWorkdir = !o.workdir;
  o.workdir = o.workdir || fs.mkdtempSync(path.join(os.tmpdir(), 'hone-bench-'));
  fs.mkdirSync(o.workdir, {recursive: true});
  // The inputs and outputs are kept only in a --workdir the caller chose.
  if (ownWorkdir) process.on('exit', () => fs.rmSync(o.workdir, {recursive: true, force: true}));
  const ortScript = path.join(__dirname, 'ort_run.js');
  const rows = [];
  for (const model of o.models) {
    let row;
    try {
      row = benchModel(model, o, ortScript);
    } catch (e) {
      // One failing model does not stop the others; it is reported and fails the exit status.
      row = {model: path.basename(model, '.onnx'), error: e.message};
      console.error(`compare: ${row.model}: ${e.message}`);
    }
    rows.push(row);
    if (!o.markdown) console.log(JSON.stringify(row));
  }
  if (o.markdown) printMarkdown(rows, o);
  if (o.jsonOut) fs.writeFileSync(o.jsonOut, JSON.stringify(rows, null, 1) + '\n');
  if (rows.some((r) => r.error)) process.exit(1);
}

try {
  main();
} catch (e) {
  console.error('compare: ' + e.message);
  process.exit(2);
}
