// The measured FP32 peak from `hone-peak --json`, shared by the per-layer reports.
'use strict';

// Peak GFLOP/s at `threads` threads: {best, byIsa: {avx512: x, ...}}.
function peaksAt(peak, threads) {
  const rows = (peak.fma || []).filter((f) => f.threads === threads);
  if (!rows.length)
    throw new Error(`the hone-peak figures have no ${threads}-thread measurement ` +
                    `(they have: ${[...new Set((peak.fma || []).map((f) => f.threads))].join(', ')}); ` +
                    `run hone-peak --threads ${threads}`);
  const byIsa = {};
  for (const f of rows) byIsa[f.isa] = f.gflops;
  return {best: Math.max(...rows.map((f) => f.gflops)), byIsa};
}

module.exports = {peaksAt};
