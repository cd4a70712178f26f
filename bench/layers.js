// Per-layer report: reads `hone run --profile --json` output and `hone-peak --json` output and
// prints, for each convolution / GEMM step (every step with --all), its time, GFLOP/s and the
// share of the machine's measured FP32 peak at the same thread count: of the best ISA's peak,
// and of the peak of the ISA the kernel's name says it uses (AVX2's peak is half of AVX-512's
// on CPUs with full-width AVX-512 units). Winograd layers are counted by their direct
// convolution FLOPs (as hone reports them), so they can exceed 100%.
// Usage: node bench/layers.js RUN.json PEAK.json [--all] [--markdown]
'use strict';
const fs = require('fs');
const {peaksAt} = require('./peak_figures');

function readJson(file, what) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} ${file} is not JSON: ${e.message}`);
  }
}

function kernelIsa(kernel) {
  const m = /(avx512|avx2|portable)/.exec(kernel || '');
  return m ? m[1] : null;
}

function main() {
  const args = process.argv.slice(2);
  const files = args.filter((a) => !a.startsWith('--'));
  const all = args.includes('--all');
  if (files.length !== 2) throw new Error('usage: node layers.js RUN.json PEAK.json [--all]');
  const run = readJson(files[0], 'hone run output');
  const peak = readJson(files[1], 'hone-peak output');
  if (!Array.isArray(run.profile))
    throw new Error(`${files[0]} has no "profile" array: this hone does not support ` +
                    '`hone run --profile --json` yet');
  const threads = run.threads || 1;
  const p = peaksAt(peak, threads);
  const isConvGemm = (op) => /conv|gemm|matmul/i.test(op || '');
  const steps = run.profile.filter((s) => all || isConvGemm(s.op));
  const totalMs = run.profile.reduce((a, s) => a + (s.median_ms || 0), 0);

  const isaList = Object.entries(p.byIsa).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
  console.log(`${run.model}: ${threads} thread(s), opt-level ${run.opt_level ?? '?'}, isa ${run.isa ?? '?'}; ` +
              `measured peak at ${threads} thread(s): ${p.best.toFixed(0)} GFLOP/s (${isaList})`);
  console.log('');
  console.log('| # | node | op | kernel | MFLOP | median ms | GFLOP/s | % peak | % ISA peak |');
  console.log('| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
  let flops = 0, ms = 0;
  steps.forEach((s, i) => {
    const gf = s.median_ms > 0 ? s.flops / (s.median_ms * 1e6) : (s.gflops || 0);
    const isa = kernelIsa(s.kernel);
    const isaPeak = isa && p.byIsa[isa] ? `${(100 * gf / p.byIsa[isa]).toFixed(0)}%` : '';
    flops += s.flops || 0;
    ms += s.median_ms || 0;
    console.log(`| ${i + 1} | ${s.node} | ${s.op} | ${s.kernel || ''} | ${((s.flops || 0) / 1e6).toFixed(1)} | ` +
                `${(s.median_ms || 0).toFixed(3)} | ${gf.toFixed(1)} | ${(100 * gf / p.best).toFixed(0)}% | ${isaPeak} |`);
  });
  const gf = ms > 0 ? flops / (ms * 1e6) : 0;
  console.log('');
  console.log(`${all ? 'all' : 'conv/gemm'} steps: ${steps.length}, ${(flops / 1e9).toFixed(2)} GFLOP in ` +
              `${ms.toFixed(2)} ms (${totalMs > 0 ? (100 * ms / totalMs).toFixed(0) : '?'}% of the ${totalMs.toFixed(2)} ms ` +
              `summed over all steps): ${gf.toFixed(1)} GFLOP/s = ${(100 * gf / p.best).toFixed(0)}% of peak`);
}

try {
  main();
} catch (e) {
  console.error('layers: ' + e.message);
  process.exit(2);
}
