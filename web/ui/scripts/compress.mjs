// After `vite build`: a gzip (.gz) and a brotli (.br) copy beside every text asset in dist/ that
// compression makes smaller. creekd sends the copy a browser accepts (Accept-Encoding), so the
// server never compresses a static file per request. Node's own zlib; nothing is downloaded.
import { readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import process from 'node:process';

const DIST = new URL('../dist/', import.meta.url).pathname;
const TEXT = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.txt', '.webmanifest']);
const MIN_BYTES = 1024; // below this the headers outweigh the gain

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

let before = 0;
let gz = 0;
let br = 0;
for (const path of [...files(DIST)]) {
  if (path.endsWith('.gz') || path.endsWith('.br')) {
    rmSync(path); // a copy from an earlier build
    continue;
  }
  if (!TEXT.has(extname(path))) continue;
  const data = readFileSync(path);
  if (data.length < MIN_BYTES) continue;
  const g = gzipSync(data, { level: 9 });
  const b = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  before += data.length;
  if (g.length < data.length) {
    writeFileSync(`${path}.gz`, g);
    gz += g.length;
  }
  if (b.length < data.length) {
    writeFileSync(`${path}.br`, b);
    br += b.length;
  }
}
const kb = (n) => `${Math.round(n / 1024)} KiB`;
process.stdout.write(
  `compressed assets: ${kb(before)} of text, ${kb(gz)} gzip, ${kb(br)} brotli\n`,
);
