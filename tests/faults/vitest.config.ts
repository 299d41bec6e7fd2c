import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The faults, bad-input and security suite: real sshd, real mounts (tmpfs, read-only binds), network
 * namespaces, killed processes. Needs root. Slow cases say so in their names ("[slow]").
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/faults/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
