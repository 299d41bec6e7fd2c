// Builds ssh2's optional native crypto binding (AES-GCM and ChaCha20-Poly1305 in C instead of one
// JavaScript cipher object per packet: about 20 % more throughput per core, see the README's
// Performance section) when this machine can: a C++ compiler, make, Python and the headers of the
// running Node. Offline only: node-gyp is pointed at the local headers and never downloads any.
// Anything missing means ssh2 keeps its JavaScript path, which is complete; this says so and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ssh2Dir = dirname(require.resolve('ssh2/package.json'));
const cryptoDir = join(ssh2Dir, 'lib/protocol/crypto');
const built = join(cryptoDir, 'build/Release/sshcrypto.node');
const outDir = new URL('../build/cli/crypto/build/Release/', import.meta.url).pathname;

function say(message) {
  console.log(`ssh2 native binding: ${message}`);
}

function build() {
  if (existsSync(built)) return true;
  const nodeDir = join(dirname(process.execPath), '..');
  if (!existsSync(join(nodeDir, 'include/node/node.h'))) {
    say(`no Node headers under ${nodeDir}/include/node; ssh2 uses its JavaScript crypto.`);
    return false;
  }
  const npmDir = dirname(
    dirname(require.resolve('npm/package.json', { paths: [join(nodeDir, 'lib/node_modules')] })),
  );
  const gyp = join(npmDir, 'npm/node_modules/node-gyp/bin/node-gyp.js');
  if (!existsSync(gyp)) {
    say('node-gyp (shipped with npm) not found; ssh2 uses its JavaScript crypto.');
    return false;
  }
  const r = spawnSync(
    process.execPath,
    [
      gyp,
      'rebuild',
      `--nodedir=${nodeDir}`,
      `--real_openssl_major=${/^\d+/.exec(process.versions.openssl)[0]}`,
    ],
    { cwd: cryptoDir, encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) {
    say(
      `could not be built (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); ssh2 uses its JavaScript crypto.`,
    );
    return false;
  }
  return existsSync(built);
}

if (build()) {
  // The bundled CLI loads it relative to itself (ssh2 asks for ./crypto/build/Release/sshcrypto.node).
  mkdirSync(outDir, { recursive: true });
  copyFileSync(built, join(outDir, 'sshcrypto.node'));
  say('built; ssh2 uses it.');
}
