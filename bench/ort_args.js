// Command line of the ONNX Runtime peer scripts (ort_run.js, ort_profile.js):
// MODEL [--threads N] [--repeat N] [--warmup N], plus the string-valued flags a script names.
'use strict';

function parseOrtArgs(argv, usage, stringFlags = []) {
  const opts = {threads: 2, repeat: 20, warmup: 3, model: null};
  for (const flag of stringFlags) opts[flag.slice(2)] = null;
  const num = (v, flag) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got '${v}'`);
    return n;
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--threads') opts.threads = num(argv[++i], a);
    else if (a === '--repeat') opts.repeat = num(argv[++i], a);
    else if (a === '--warmup') opts.warmup = num(argv[++i], a);
    else if (stringFlags.includes(a)) opts[a.slice(2)] = argv[++i];
    else if (!opts.model && !a.startsWith('--')) opts.model = a;
    else throw new Error('unexpected argument ' + a);
  }
  if (!opts.model) throw new Error(usage);
  if (opts.repeat < 1 || opts.threads < 1) throw new Error('--repeat and --threads must be at least 1');
  return opts;
}

module.exports = {parseOrtArgs};
