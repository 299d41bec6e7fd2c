import { readFileSync } from 'node:fs';

/** The version in package.json, found from this file whether run from source or from build/main. */
export function appVersion(): string {
  for (const rel of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'configsync' && pkg.version) return pkg.version;
    } catch {
      // try the next level up
    }
  }
  return '0.0.0';
}
