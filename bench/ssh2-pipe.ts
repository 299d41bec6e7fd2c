// `npx tsx bench/ssh2-pipe.ts [--quick]`: does ssh2 itself cap a big transfer? One file piped into
// `cat > /dev/null` over one ssh2 exec channel (aes128-gcm, as ConfigSync negotiates it) against
// OpenSSH's `cat FILE | ssh HOST 'cat > /dev/null'` on the same sshd, alternating, medians of 3.
import ssh2 from 'ssh2';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSshd, type SshdServer } from '../tests/support/sshd.js';
import { median, timed } from './measure.js';
import { sshCommand } from './setup.js';
import { generateBigFile } from './trees.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } }, strict: true });
const size = values.quick ? 8 << 20 : 512 << 20;
const binding = join(
  dirname(createRequire(import.meta.url).resolve('ssh2/package.json')),
  'lib/protocol/crypto/build/Release/sshcrypto.node',
);

/** Seconds to pipe `file` into `cat > /dev/null` over one exec channel of an ssh2 connection. */
function ssh2Pipe(s: SshdServer, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('error', reject);
    client.on('ready', () => {
      const t0 = process.hrtime.bigint();
      client.exec('cat > /dev/null', (err, ch) => {
        if (err) return reject(err);
        ch.on('close', () => {
          resolve(Number(process.hrtime.bigint() - t0) / 1e9);
          client.end();
        });
        ch.resume();
        ch.stderr.resume();
        createReadStream(file, { highWaterMark: 1 << 20 }).pipe(ch);
      });
    });
    client.connect({
      host: s.host,
      port: s.port,
      username: s.user,
      privateKey: s.clientKey.privateKey,
      hostVerifier: () => true, // the harness's own throwaway sshd
      algorithms: { cipher: ['aes128-gcm@openssh.com'] },
    });
    client.setNoDelay(true);
  });
}

const work = await mkdtemp(join(tmpdir(), 'configsync-bench-pipe-'));
const s = await startSshd();
try {
  const file = join(work, 'image.bin');
  await generateBigFile(file, size, 'pipe');
  const openssh = () =>
    timed('sh', [
      '-c',
      `cat '${file}' | ${sshCommand(s)} -c aes128-gcm@openssh.com ${s.user}@${s.host} 'cat > /dev/null'`,
    ]);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 3; i++) {
    a.push(await ssh2Pipe(s, file));
    b.push((await openssh()).seconds);
  }
  const mib = (size / 2 ** 20).toFixed(0);
  console.log(
    `one ${mib} MiB file into cat > /dev/null, medians of 3 (ssh2's native binding ${existsSync(binding) ? 'built' : 'not built: JavaScript crypto'}):`,
  );
  console.log(`  ssh2 exec channel      ${median(a).toFixed(2)} s (after the handshake)`);
  console.log(`  OpenSSH cat | ssh cat  ${median(b).toFixed(2)} s (the whole command)`);
  console.log(`  ssh2 / OpenSSH         ${(median(a) / median(b)).toFixed(2)}`);
} finally {
  await s.stop();
  await rm(work, { recursive: true, force: true });
}
process.exit(0);
