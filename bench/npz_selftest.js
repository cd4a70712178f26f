// ctest bench_npz: npz.js round-trips every dtype (stored and deflated), and hone reads its
// files and writes files it reads: x + y through ONNX's test_add model must come back exact.
// Usage: node bench/npz_selftest.js HONE_BINARY TMPDIR
'use strict';
const {execFileSync} = require('child_process');
const fs = require('fs');
const path = require('path');
const npz = require('./npz.js');

function check(cond, what) {
  if (!cond) throw new Error(what);
}

function main() {
  const [hone, tmp] = process.argv.slice(2);
  check(hone && tmp, 'usage: node npz_selftest.js HONE_BINARY TMPDIR');
  fs.mkdirSync(tmp, {recursive: true});
  check(npz.crc32(Buffer.from('123456789')) === 0xcbf43926, 'crc32 of the check string');

  const arrays = ['float32', 'float64', 'int64', 'int32', 'uint8', 'bool'].map((dtype, i) => ({
    name: `a_${dtype}`, dtype, shape: i % 2 ? [5] : [2, 3, 7], data: npz.makeInput(dtype, i % 2 ? [5] : [2, 3, 7], 11 + i)}));
  for (const deflate of [false, true]) {
    const file = path.join(tmp, deflate ? 'deflated.npz' : 'stored.npz');
    npz.writeNpz(file, arrays, {deflate});
    const back = npz.readNpz(file);
    for (const a of arrays) {
      const b = back[a.name];
      check(b && b.dtype === a.dtype, `${file}: ${a.name} dtype`);
      check(JSON.stringify(b.shape) === JSON.stringify(a.shape), `${file}: ${a.name} shape`);
      check(b.data.every((v, i) => v === a.data[i]), `${file}: ${a.name} values`);
    }
  }

  const model = '/usr/share/libonnx-testdata/data/node/test_add/model.onnx';
  if (!fs.existsSync(model)) {
    console.log('npz round trip ok; hone part skipped (no libonnx-testdata)');
    return;
  }
  const shape = [3, 4, 5];
  const x = npz.makeInput('float32', shape, 1), y = npz.makeInput('float32', shape, 2);
  for (const deflate of [false, true]) {
    const input = path.join(tmp, 'add_in.npz'), output = path.join(tmp, 'add_out.npz');
    npz.writeNpz(input, [{name: 'x', dtype: 'float32', shape, data: x},
                         {name: 'y', dtype: 'float32', shape, data: y}], {deflate});
    execFileSync(hone, ['run', model, '--inputs', input, '--outputs', output, '--json'],
                 {stdio: ['ignore', 'ignore', 'inherit']});
    const out = npz.readNpz(output);
    const names = Object.keys(out);
    check(names.length === 1, `hone wrote ${names.length} outputs, expected 1`);
    const sum = out[names[0]];
    check(JSON.stringify(sum.shape) === JSON.stringify(shape), 'hone output shape');
    check(sum.data.every((v, i) => v === Math.fround(x[i] + y[i])), 'hone computed x + y exactly');
  }
  console.log('npz round trip ok; hone reads and writes npz.js files');
}

try {
  main();
} catch (e) {
  console.error('npz_selftest: ' + e.message);
  process.exit(1);
}
