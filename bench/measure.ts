import { spawn } from 'node:child_process';

export type Sample = { readonly seconds: number; readonly peakRssMb: number | null };

/**
 * Runs a command to completion under GNU time (for the peak RSS) and returns wall seconds.
 * Fails loudly on a non-zero exit, with the command's output: a benchmark of a failing run is worthless.
 */
export function timed(cmd: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}, okCodes = [0]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '__PEAK_RSS_KB=%M', cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const m = /__PEAK_RSS_KB=(\d+)/.exec(out);
      if (!okCodes.includes(code ?? -1)) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`));
      resolve({ seconds, peakRssMb: m?.[1] ? Number(m[1]) / 1024 : null });
    });
  });
}

export function median(xs: ReadonlyArray<number>): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
