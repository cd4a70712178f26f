// Minimal NumPy .npz reader/writer for the benchmark (no npm dependency): writes uncompressed
// zips of version-1.0 .npy entries; reads stored or deflated entries (what numpy and hone's
// libzip write). Little-endian, C order only.
'use strict';
const fs = require('fs');
const zlib = require('zlib');

// dtype name (as hone and onnxruntime-node call them) <-> npy descr and typed array.
const kDtypes = {
  float32: {descr: '<f4', Array: Float32Array},
  float64: {descr: '<f8', Array: Float64Array},
  int64: {descr: '<i8', Array: BigInt64Array},
  int32: {descr: '<i4', Array: Int32Array},
  int16: {descr: '<i2', Array: Int16Array},
  int8: {descr: '|i1', Array: Int8Array},
  uint8: {descr: '|u1', Array: Uint8Array},
  uint16: {descr: '<u2', Array: Uint16Array},
  uint32: {descr: '<u4', Array: Uint32Array},
  uint64: {descr: '<u8', Array: BigUint64Array},
  bool: {descr: '|b1', Array: Uint8Array},
};

let crcTable = null;
function crc32(buf) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; ++n) {
      let c = n;
      for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; ++i) c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function npyBytes(dtype, shape, data) {
  const t = kDtypes[dtype];
  if (!t) throw new Error(`npz: unsupported dtype ${dtype}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${t.descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  // Magic (6) + version (2) + length (2) + header + '\n' padded to a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const head = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

function parseNpy(buf, where) {
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY')
    throw new Error(`${where}: not a .npy entry`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape) throw new Error(`${where}: malformed .npy header`);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${where}: Fortran order unsupported`);
  const dtype = Object.keys(kDtypes).find((k) => kDtypes[k].descr === descr[1] ||
                                          kDtypes[k].descr.slice(1) === descr[1].slice(1) &&
                                          descr[1][0] === '=');
  if (!dtype) throw new Error(`${where}: unsupported dtype ${descr[1]}`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const T = kDtypes[dtype].Array;
  const offset = start + hlen;
  if (buf.length - offset < count * T.BYTES_PER_ELEMENT) throw new Error(`${where}: truncated data`);
  // Copy into a fresh, aligned buffer (the entry's offset need not be a multiple of 8).
  const data = new T(count);
  Buffer.from(data.buffer).set(buf.subarray(offset, offset + count * T.BYTES_PER_ELEMENT));
  return {dtype, shape: dims, data};
}

// arrays: [{name, dtype, shape, data (typed array)}]. Entries are stored unless
// options.deflate (numpy.savez_compressed's format; used to test the reader).
function writeNpz(file, arrays, options = {}) {
  const method = options.deflate ? 8 : 0;
  const locals = [], centrals = [];
  let offset = 0;
  for (const a of arrays) {
    const name = Buffer.from(a.name + '.npy', 'utf8');
    const body = npyBytes(a.dtype, a.shape, a.data);
    const crc = crc32(body);
    const stored = method === 8 ? zlib.deflateRawSync(body) : body;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);  // version needed
    local.writeUInt16LE(0x0800, 6);  // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);  // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(body.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(body.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(arrays.length, 8);
  end.writeUInt16LE(arrays.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...locals, cd, end]));
}

// Returns {name: {dtype, shape, data}} in archive order.
function readNpz(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); --i)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new Error(`${file}: not a zip (.npz) file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = {};
  for (let e = 0; e < count; ++e) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: corrupt central directory`);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (csize === 0xffffffff || local === 0xffffffff) throw new Error(`${file}: zip64 unsupported`);
    p += 46 + nameLen + extraLen + commentLen;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + csize);
    let body;
    if (method === 0) body = raw;
    else if (method === 8) body = zlib.inflateRawSync(raw);
    else throw new Error(`${file}: entry ${name} uses zip method ${method}`);
    out[name.replace(/\.npy$/, '')] = parseNpy(body, `${file}:${name}`);
  }
  return out;
}

// Deterministic test input for a graph input: floats uniform in [0, 1), integers in [0, 10),
// booleans 0/1 (a 32-bit LCG, so every run and both engines see the same values).
function makeInput(dtype, shape, seed) {
  const t = kDtypes[dtype];
  if (!t) throw new Error(`cannot make an input of dtype ${dtype}`);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new t.Array(n);
  let state = (seed >>> 0) || 1;
  for (let i = 0; i < n; ++i) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const u = (state >>> 8) / 16777216;
    if (dtype === 'float32' || dtype === 'float64') data[i] = u;
    else if (dtype === 'bool') data[i] = u < 0.5 ? 0 : 1;
    else if (t.Array === BigInt64Array || t.Array === BigUint64Array) data[i] = BigInt(Math.floor(u * 10));
    else data[i] = Math.floor(u * 10);
  }
  return data;
}

module.exports = {readNpz, writeNpz, makeInput, crc32};
