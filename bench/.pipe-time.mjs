import ssh2 from 'ssh2';
import { readFileSync, createReadStream } from 'node:fs';
const c = new ssh2.Client();
c.on('ready', () => {
  const t = performance.now();
  c.exec('cat > /dev/null', (e, ch) => {
    ch.on('close', () => { console.log('pipe 512MiB', ((performance.now() - t) / 1000).toFixed(2), 's'); c.end(); });
    ch.resume(); ch.stderr.resume();
    createReadStream('/tmp/prof/big.bin', { highWaterMark: 1 << 20 }).pipe(ch);
  });
});
c.connect({ host: '127.0.0.1', port: 39431, username: 'root', privateKey: readFileSync('/tmp/configsync-sshd-cIq3Xk/client_ed25519'), hostVerifier: () => true, algorithms: process.env.CIPHER ? { cipher: [process.env.CIPHER] } : undefined });
c.setNoDelay(true);
