// Loads electron-builder.yml through electron-builder's own loader and schema validator (the code
// `electron-builder` runs before packaging), then checks what ConfigSync relies on, and that the
// icons it points at are real files of the right sizes.
import { trayIconPath } from '../../../src-main/electron/tray-menu.js';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
type Config = Awaited<ReturnType<typeof getConfig>>;
let config: Config;

beforeAll(async () => {
  config = await getConfig(root, 'electron-builder.yml', null);
});

function file(relative: string): Buffer {
  return readFileSync(new URL(relative, `file://${root}`));
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function targets(value: unknown): unknown[] {
  return (Array.isArray(value) ? value : [value]).map((t: unknown) =>
    typeof t === 'object' && t !== null && 'target' in t ? t.target : t,
  );
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('would be rejected by that validation if it were wrong (the check is real)', async () => {
    const misspelledFuse = { ...config, electronFuses: { runAsNod: false } } as unknown as Config;
    await expect(validateConfiguration(misspelledFuse, new DebugLogger(false))).rejects.toThrow(
      /configuration\.electronFuses/,
    );
    const misplacedOption = { ...config, nsis: { ...config.nsis, category: 'Utility' } } as unknown as Config;
    await expect(validateConfiguration(misplacedOption, new DebugLogger(false))).rejects.toThrow(
      /configuration\.nsis/,
    );
  });

  it('names the app and keeps its output apart from the build output', () => {
    expect(config.appId).toBe('dev.configsync.app');
    expect(config.productName).toBe('ConfigSync');
    expect(config.directories).toEqual({ output: 'dist-app', buildResources: 'assets' });
    expect(config.npmRebuild).toBe(false);
    expect(config.asar).toBe(true);
  });

  it('packs only the built output, package.json (whose main is inside it) and the tray icons', () => {
    // electron-builder's loader normalises `files` into one file set.
    expect(config.files).toEqual([
      { filter: ['build/**', 'package.json', 'assets/icons/16x16.png', 'assets/icons/32x32.png'] },
    ]);
    // The tray loads its icon from the app folder at run time: whichever size the platform picks is packed.
    for (const platform of ['darwin', 'linux', 'win32'] as const)
      expect(trayIconPath('', platform).replace(/^\//, '')).toMatch(/^assets\/icons\/(16x16|32x32)\.png$/);
    const pkg = JSON.parse(file('package.json').toString('utf8')) as { main: string };
    expect(pkg.main).toBe('build/main/src-main/electron/main.js');
  });

  it('targets nsis on Windows, dmg on macOS, AppImage, deb and rpm on Linux', () => {
    expect(targets(config.win?.target)).toEqual(['nsis']);
    expect(targets(config.mac?.target)).toEqual(['dmg']);
    expect(targets(config.linux?.target)).toEqual(['AppImage', 'deb', 'rpm']);
    expect(config.linux?.category).toBe('Utility');
    expect(config.linux?.maintainer).toMatch(/<[^@\s]+@[^@\s]+>/);
  });

  it('hardens the Electron binary with fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });
});

describe('icons', () => {
  it('has the SVG sources', () => {
    expect(file('assets/icon.svg').toString('utf8')).toMatch(/^<svg[^>]+viewBox="0 0 512 512"/);
    expect(file('assets/icon-small.svg').toString('utf8')).toMatch(/^<svg/);
  });

  it('gives Linux a PNG of each size, named as electron-builder expects', () => {
    expect(config.linux?.icon).toBe('assets/icons');
    const names = readdirSync(new URL('assets/icons/', `file://${root}`)).sort();
    const sizes = [16, 32, 48, 64, 128, 256, 512, 1024];
    expect(names).toEqual(sizes.map((s) => `${s}x${s}.png`).sort());
    for (const s of sizes)
      expect(pngSize(file(`assets/icons/${s}x${s}.png`))).toEqual({ width: s, height: s });
    expect(pngSize(file('assets/icon.png'))).toEqual({ width: 1024, height: 1024 });
  });

  it('gives Windows an ICO with 16 to 256 px entries', () => {
    expect(config.win?.icon).toBe('assets/icon.ico');
    const ico = file('assets/icon.ico');
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    const widths = Array.from({ length: count }, (_, i) => ico[6 + 16 * i] || 256);
    expect(widths).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  });

  it('gives macOS an ICNS up to 1024 px', () => {
    expect(config.mac?.icon).toBe('assets/icon.icns');
    const icns = file('assets/icon.icns');
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4))
      types.push(icns.subarray(at, at + 4).toString('latin1'));
    expect(types).toEqual(expect.arrayContaining(['ic10', 'ic09', 'ic08', 'ic07']));
  });
});
