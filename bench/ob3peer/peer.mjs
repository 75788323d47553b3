// Peer benchmark for badgebake's Open Badges 3.0 verifier (see README.md).
//
//   node peer.mjs issue  --out DIR [--n 100] [--seed HEX] [--suite S] [--jwt]
//   node peer.mjs verify [--runs 3] [--schemas DIR] [--online] PATH...
//   node peer.mjs verify-jwt [--runs 3] PATH...
//
// issue signs N Open Badges 3.0 credentials (eddsa-rdfc-2022, or with
// --suite ed25519-2020 Ed25519Signature2020; did:key Ed25519) into
// DIR/di/credential-NNNNN.json and, with --jwt, the same
// credentials as VC-JWTs (EdDSA, kid = the did:key method) into
// DIR/jwt/credential-NNNNN.jwt, so that badgebake and the peers verify the
// same files. verify runs @digitalcredentials/verifier-core on every JSON
// file under PATH; verify-jwt runs jose on every .jwt file (did:key
// issuers: Ed25519 with EdDSA, P-256 with ES256). Both print the
// rate of each run and a summary of the verdicts.
//
// Nothing reaches the network unless --online: fetch is replaced by one that
// answers only from --schemas DIR (files named as the last segment of the
// URL) and refuses everything else, counting the refusals.
import { readFile, writeFile, mkdir, readdir, stat } from 'node:fs/promises';
import { join, basename } from 'node:path';
import { createHash, createPublicKey } from 'node:crypto';

const [command, ...rest] = process.argv.slice(2);
const opts = parseArgs(rest);

const refused = new Map(); // URL → how many times fetch was refused
let schemaDir = opts.schemas;
if (!opts.online) {
  globalThis.fetch = async (input) => {
    const url = typeof input === 'string' ? input : input.url ?? String(input);
    if (schemaDir) {
      try {
        const body = await readFile(join(schemaDir, basename(new URL(url).pathname)));
        return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
      } catch { /* not there: refused below */ }
    }
    refused.set(url, (refused.get(url) ?? 0) + 1);
    throw new TypeError(`offline: refused to fetch ${url}`);
  };
}

switch (command) {
  case 'issue': await issue(); break;
  case 'verify': await verifyDI(); break;
  case 'verify-jwt': await verifyJWT(); break;
  default:
    console.error('usage: node peer.mjs issue --out DIR [--n N] [--seed HEX] [--suite eddsa-rdfc-2022|ed25519-2020] [--jwt]\n' +
      '       node peer.mjs verify [--runs R] [--schemas DIR] [--online] PATH...\n' +
      '       node peer.mjs verify-jwt [--runs R] PATH...');
    process.exit(2);
}

function parseArgs(args) {
  const o = { paths: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) { o.paths.push(a); continue; }
    const name = a.slice(2);
    if (['jwt', 'online'].includes(name)) { o[name] = true; continue; }
    if (i + 1 >= args.length) { console.error(`${a} needs a value`); process.exit(2); }
    o[name] = args[++i];
  }
  return o;
}

// ---- issuing ----

async function issue() {
  if (!opts.out) { console.error('issue needs --out DIR'); process.exit(2); }
  const n = Number(opts.n ?? 100);
  const { DataIntegrityProof } = await import('@digitalcredentials/data-integrity');
  const { cryptosuite } = await import('@digitalcredentials/eddsa-rdfc-2022-cryptosuite');
  const Ed25519Multikey = await import('@digitalcredentials/ed25519-multikey');
  const vc = await import('@digitalcredentials/vc');
  const { securityLoader } = await import('@digitalcredentials/security-document-loader');
  const jose = opts.jwt ? await import('jose') : null;

  // A fixed seed by default, so that every run issues the same files.
  const seed = Buffer.from(opts.seed ?? createHash('sha256').update('badgebake ob3peer').digest('hex'), 'hex');
  const key = await Ed25519Multikey.generate({ seed: new Uint8Array(seed) });
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  const documentLoader = securityLoader().build();
  // A fixed proof date too: Ed25519 signatures are deterministic, so the
  // files are byte for byte the same on every run.
  const date = '2024-01-01T00:00:00Z';
  let suite;
  const suiteName = opts.suite ?? 'eddsa-rdfc-2022';
  if (suiteName === 'eddsa-rdfc-2022') {
    suite = new DataIntegrityProof({ signer: key.signer(), date, cryptosuite });
  } else if (suiteName === 'ed25519-2020') {
    const { Ed25519Signature2020 } = await import('@digitalcredentials/ed25519-signature-2020');
    suite = new Ed25519Signature2020({ signer: key.signer(), date });
  } else {
    console.error(`--suite is eddsa-rdfc-2022 or ed25519-2020, not ${suiteName}`);
    process.exit(2);
  }

  let jwk;
  if (jose) {
    const exported = await key.export({ publicKey: true, secretKey: true, includeContext: true });
    jwk = await jose.importJWK(multikeyToJwk(exported), 'EdDSA');
  }
  await mkdir(join(opts.out, 'di'), { recursive: true });
  if (jose) await mkdir(join(opts.out, 'jwt'), { recursive: true });
  const width = String(n).length;
  for (let i = 1; i <= n; i++) {
    const name = `credential-${String(i).padStart(width, '0')}`;
    const credential = template(did, i);
    const unsigned = structuredClone(credential);
    if (suiteName === 'ed25519-2020') unsigned['@context'].push('https://w3id.org/security/suites/ed25519-2020/v1');
    const signed = await vc.issue({ credential: unsigned, suite, documentLoader });
    await writeFile(join(opts.out, 'di', name + '.json'), JSON.stringify(signed, null, 2) + '\n');
    if (jose) {
      const claims = {
        ...credential, iss: did, jti: credential.id, sub: credential.credentialSubject.id,
        nbf: Math.floor(Date.parse(credential.validFrom) / 1000),
      };
      const jwt = await new jose.SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid: key.id, typ: 'JWT' })
        .sign(jwk);
      await writeFile(join(opts.out, 'jwt', name + '.jwt'), jwt + '\n');
    }
  }
  console.log(`issued ${n} credentials by ${did} to ${opts.out}/di${jose ? ` and ${opts.out}/jwt` : ''}`);
}

// template is credential number i: an OpenBadgeCredential in VCDM 2.0 with
// the OB 3.0.3 context, every term defined (both verifiers run safe mode).
function template(did, i) {
  return {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ],
    id: `urn:uuid:6f1c2a3e-0b7d-4c5e-9a1f-${String(i).padStart(12, '0')}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: `Robotics ${i}`,
    issuer: { id: did, type: ['Profile'], name: 'Example Issuer', url: 'https://issuer.example.org' },
    validFrom: '2024-01-01T00:00:00Z',
    credentialSubject: {
      id: `did:example:recipient-${i}`,
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://issuer.example.org/achievements/robotics',
        type: ['Achievement'],
        name: 'Robotics',
        description: 'Built a robot that climbs stairs.',
        criteria: { narrative: 'Build a robot; show it climbing a flight of stairs.' },
      },
    },
  };
}

// multikeyToJwk turns an exported Ed25519 Multikey (z-base58btc, 0xed01
// prefix for the public key, 0x8026 for the secret seed) into an OKP JWK.
function multikeyToJwk({ publicKeyMultibase, secretKeyMultibase }) {
  const pub = base58Decode(publicKeyMultibase.slice(1)).subarray(2);
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub).toString('base64url') };
  if (secretKeyMultibase) {
    const secret = base58Decode(secretKeyMultibase.slice(1)).subarray(2, 34);
    jwk.d = Buffer.from(secret).toString('base64url');
  }
  return jwk;
}

// p256MultikeyToKeyObject turns a P-256 did:key multibase (z-base58btc,
// 0x8024 prefix, compressed point) into a Node public KeyObject: the point
// goes into an SPKI structure as it is, and OpenSSL decompresses it.
function p256MultikeyToKeyObject(mb) {
  const bytes = base58Decode(mb.slice(1));
  if (bytes[0] !== 0x80 || bytes[1] !== 0x24 || bytes.length !== 35) throw new Error('not a P-256 multikey');
  // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (33 bytes) }
  const prefix = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');
  return createPublicKey({ key: Buffer.concat([prefix, bytes.subarray(2)]), format: 'der', type: 'spki' });
}

function base58Decode(s) {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = 0n;
  for (const c of s) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base58: ${c}`);
    n = n * 58n + BigInt(v);
  }
  const bytes = [];
  while (n > 0n) { bytes.unshift(Number(n % 256n)); n /= 256n; }
  for (const c of s) { if (c !== '1') break; bytes.unshift(0); }
  return Uint8Array.from(bytes);
}

// ---- verifying ----

async function listFiles(paths, ext) {
  const out = [];
  async function walk(p) {
    if ((await stat(p)).isDirectory()) {
      for (const e of (await readdir(p)).sort()) await walk(join(p, e));
    } else if (p.endsWith(ext)) {
      out.push(p);
    }
  }
  for (const p of paths) await walk(p);
  return out;
}

async function load(paths, ext) {
  const files = await listFiles(paths, ext);
  if (files.length === 0) { console.error(`no ${ext} files under ${paths.join(' ')}`); process.exit(2); }
  return Promise.all(files.map(async (f) => ({ file: f, text: (await readFile(f, 'utf8')).trim() })));
}

// measure verifies every input once (the cold pass, whose verdicts are the
// ones summarised), then `runs` times more; it prints each pass's rate.
async function measure(label, inputs, verifyOne) {
  const runs = Number(opts.runs ?? 3);
  const verdicts = new Map();
  const examples = new Map();
  const quiet = silenceConsole();
  const firstStart = process.hrtime.bigint();
  let firstMs;
  for (const input of inputs) {
    const v = await verifyOne(input);
    firstMs ??= Number(process.hrtime.bigint() - firstStart) / 1e6;
    verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
    if (!examples.has(v)) examples.set(v, input.file);
  }
  const coldRate = inputs.length / (Number(process.hrtime.bigint() - firstStart) / 1e9);
  // Each run's rate by the wall clock, and per second of this process's
  // CPU time (user and system, all threads): on a machine shared with
  // other work the second is the steadier figure.
  const rates = [];
  const cpuRates = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (const input of inputs) await verifyOne(input);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    rates.push(inputs.length / seconds);
    cpuRates.push(inputs.length / ((used.user + used.system) / 1e6));
  }
  quiet.restore();
  console.log(`${label}: first pass (cold: loading, JIT warm-up): ${inputs.length} credentials, ${coldRate.toFixed(1)} credentials/s; the first took ${firstMs.toFixed(0)} ms`);
  for (const [i, rate] of rates.entries()) {
    console.log(`${label}: run ${i + 1}: ${inputs.length} credentials, ${rate.toFixed(1)} credentials/s, ${cpuRates[i].toFixed(1)} per CPU-second`);
  }
  if (runs > 0) console.log(`${label}: median ${median(rates).toFixed(1)} credentials/s, ${median(cpuRates).toFixed(1)} per CPU-second, over ${runs} run(s) of ${inputs.length}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  console.log(`${label}: verdicts (first pass):`);
  for (const [v, n] of [...verdicts].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${String(n).padStart(6)}  ${v}   (e.g. ${examples.get(v)})`);
  }
  if (quiet.lines) console.log(`${label}: ${quiet.lines} line(s) of console output from the peer suppressed`);
  if (refused.size) {
    console.log(`${label}: fetches refused (offline; --schemas DIR or --online to allow):`);
    for (const [url, n] of refused) console.log(`  ${String(n).padStart(6)}  ${url}`);
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// The peer logs every schema it cannot fetch; counted, not shown.
function silenceConsole() {
  const saved = { log: console.log, error: console.error, warn: console.warn };
  const q = { lines: 0, restore() { Object.assign(console, saved); } };
  console.log = console.error = console.warn = () => { q.lines++; };
  return q;
}

async function verifyDI() {
  const { verifyCredential } = await import('@digitalcredentials/verifier-core');
  const inputs = await load(opts.paths, '.json');
  await measure('verifier-core', inputs, async ({ text }) => {
    let credential;
    try { credential = JSON.parse(text); } catch (e) { return `fatal: not JSON`; }
    const res = await verifyCredential({ credential, knownDIDRegistries: [] });
    return diVerdict(res);
  });
}

// diVerdict names verifier-core's result: "valid" when every check it logs
// passed (registered_issuer is left out: no registries are given), else
// the failing check ids, or the fatal error's name.
function diVerdict(res) {
  if (res.errors?.length) return 'fatal: ' + res.errors.map((e) => e.name).join(', ');
  const failed = (res.log ?? []).filter((e) => !e.valid && e.id !== 'registered_issuer').map((e) => e.id);
  const schema = (res.additionalInformation ?? []).find((e) => e.id === 'schema_check');
  let schemaNote = '';
  if (schema) {
    if (typeof schema.results === 'string') schemaNote = `; schema: ${schema.results}`;
    else if (schema.results.some((r) => !r.result?.valid)) schemaNote = '; schema: invalid or not fetched';
    else schemaNote = '; schema: valid';
  }
  return (failed.length ? 'invalid: ' + failed.join(', ') : 'valid') + schemaNote;
}

async function verifyJWT() {
  const jose = await import('jose');
  const inputs = await load(opts.paths, '.jwt');
  const keys = new Map(); // kid → key, resolved once (did:key only)
  await measure('jose', inputs, async ({ text }) => {
    try {
      const header = jose.decodeProtectedHeader(text);
      // did:key Ed25519 (z6Mk…, EdDSA) or P-256 (zDn…, ES256), as
      // badgebake keygen makes them.
      const alg = header.kid?.startsWith('did:key:z6Mk') ? 'EdDSA' : header.kid?.startsWith('did:key:zDn') ? 'ES256' : null;
      if (!alg) return `unsupported key: ${header.kid ?? 'no kid'}`;
      let key = keys.get(header.kid);
      if (!key) {
        const mb = header.kid.slice('did:key:'.length).split('#')[0];
        key = alg === 'EdDSA'
          ? await jose.importJWK(multikeyToJwk({ publicKeyMultibase: mb }), 'EdDSA')
          : p256MultikeyToKeyObject(mb);
        keys.set(header.kid, key);
      }
      const { payload } = await jose.jwtVerify(text, key, { algorithms: [alg], typ: 'JWT' });
      const vc = payload.vc ?? payload;
      const issuer = typeof vc.issuer === 'string' ? vc.issuer : vc.issuer?.id;
      if (payload.iss !== issuer) return 'invalid: iss is not issuer.id';
      if (payload.jti !== undefined && payload.jti !== vc.id) return 'invalid: jti is not id';
      if (!header.kid.startsWith(payload.iss + '#')) return 'invalid: key is not the issuer\'s';
      if (vc.validFrom && payload.nbf !== Math.floor(Date.parse(vc.validFrom) / 1000)) return 'invalid: nbf is not validFrom';
      return 'valid';
    } catch (e) {
      return `invalid: ${e.code ?? e.name}`;
    }
  });
}
