'use strict';
// Runs Mozilla's extractor, openbadges-bakery's extract(), over every *.png
// in a folder, one file after the other, in this one node process, and
// checks that each file gives the URL expected from its name.
//
//   node bench/mozilla-extract.js BAKERY_DIR FOLDER URL_PREFIX
//
// BAKERY_DIR is the installed package (bench/run.sh installs
// openbadges-bakery@1.0.5 under bench/out/node/node_modules). The file
// NAME.png must carry URL_PREFIX + NAME. Prints one JSON line:
//   {"files":N,"ok":N,"loop_ns":…,"read_ns":…,"extract_ns":…,"startup_ns":…}
// loop_ns is the whole loop (read + extract); startup_ns is from process
// start to the loop (node start-up and require). Exits 1 on any mismatch.

const fs = require('fs');
const path = require('path');

const [bakeryDir, folder, urlPrefix] = process.argv.slice(2);
if (!bakeryDir || !folder || urlPrefix === undefined) {
  console.error('usage: node mozilla-extract.js BAKERY_DIR FOLDER URL_PREFIX');
  process.exit(2);
}
const bakery = require(path.resolve(bakeryDir));

function extract(buf) {
  return new Promise((resolve, reject) => {
    let done = false;
    bakery.extract(buf, (err, data) => {
      if (done) return;
      done = true;
      if (err) reject(err);
      else resolve(data);
    });
  });
}

async function main() {
  const names = fs.readdirSync(folder).filter((n) => n.endsWith('.png')).sort();
  const startupMs = performance.now(); // since the process started
  const t0 = process.hrtime.bigint();
  let readNs = 0n;
  let extractNs = 0n;
  let ok = 0;
  for (const name of names) {
    const a = process.hrtime.bigint();
    const buf = await fs.promises.readFile(path.join(folder, name));
    const b = process.hrtime.bigint();
    const got = await extract(buf);
    const c = process.hrtime.bigint();
    readNs += b - a;
    extractNs += c - b;
    const want = urlPrefix + name.slice(0, -'.png'.length);
    if (got !== want) {
      console.error(`${name}: extract gave ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      process.exit(1);
    }
    ok++;
  }
  const loopNs = process.hrtime.bigint() - t0;
  console.log(JSON.stringify({
    files: names.length,
    ok,
    loop_ns: Number(loopNs),
    read_ns: Number(readNs),
    extract_ns: Number(extractNs),
    startup_ns: Math.round(startupMs * 1e6),
  }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
