import { describe, expect, it } from 'vitest';
import { plan } from '../../../src-main/engine/plan.js';
import {
  caseCollisions,
  windowsNameProblem,
  windowsPathProblem,
} from '../../../src-main/engine/windows-names.js';
import { isWindowsHome, parseProbe } from '../../../src-main/transport/capabilities.js';
import type { FileEntry, FileIndex, PlanOptions } from '../../../src-shared/model/sync.js';

const T = 1_700_000_000_000;
const f = (path: string): FileEntry => ({ path, type: 'file', size: 3, mtimeMs: T, mode: 0o644 });
const d = (path: string): FileEntry => ({ path, type: 'dir', size: 0, mtimeMs: T, mode: 0o755 });
const idx = (root: string, entries: FileEntry[]): FileIndex => ({ root, exists: true, entries });
const mirror: PlanOptions = { mode: 'mirror', compare: 'time-size', toleranceMs: 0 };

describe('Windows names, per entry', () => {
  it('says why a name cannot exist on Windows', () => {
    expect(windowsNameProblem('CON')).toMatch(/device name on Windows \(CON\)/);
    expect(windowsNameProblem('aux.txt')).toMatch(/device name on Windows \(AUX\)/);
    expect(windowsNameProblem('Com1.tar.gz')).toMatch(/device name on Windows \(COM1\)/);
    expect(windowsNameProblem('lpt9')).toMatch(/device name/);
    expect(windowsNameProblem('nul .log')).toMatch(/device name on Windows \(NUL\)/);
    expect(windowsNameProblem('notes.')).toMatch(/ends in a dot/);
    expect(windowsNameProblem('notes ')).toMatch(/ends in a space/);
    for (const c of ['<', '>', ':', '"', '|', '?', '*', '\\'])
      expect(windowsNameProblem(`a${c}b.conf`)).toBe(
        `"a${c}b.conf" holds "${c}", which Windows names cannot`,
      );
    expect(windowsNameProblem('tab\there')).toMatch(/control character 0x09/);
    expect(windowsNameProblem('x'.repeat(256))).toMatch(/longer than 255 characters/);
    // Names Windows takes, even when they look close to the rules.
    for (const ok of [
      'CONSOLE.conf',
      'con-fig',
      'auxiliary',
      'com10',
      'a.b.c',
      '.hidden',
      'x'.repeat(255),
      'ünï cödé',
    ])
      expect(windowsNameProblem(ok)).toBeNull();
  });

  it('checks every component of a path, then the whole path against MAX_PATH with the root', () => {
    expect(windowsPathProblem('sites/aux/site.conf', '/C:/conf')).toMatch(/cannot hold this name: "aux"/);
    expect(windowsPathProblem('sites/ok.conf', '/C:/conf')).toBeNull();
    const deep = `${'d'.repeat(100)}/${'e'.repeat(100)}/${'f'.repeat(60)}`;
    expect(deep.length).toBe(262);
    expect(windowsPathProblem(deep, '/C:/c')).toMatch(/cannot hold this path: 267 characters, over 259/);
    expect(windowsPathProblem(deep.slice(0, 250), '/C:/c')).toBeNull();
  });

  it('finds names that differ only in case', () => {
    expect([...caseCollisions(['App.conf', 'Sites', 'app.conf', 'sites', 'x'])]).toEqual([
      ['app.conf', 'App.conf'],
      ['sites', 'Sites'],
    ]);
  });

  it('a plan for a Windows destination skips each such entry with its reason and plans the rest', () => {
    const src = idx('/s', [
      f('CON'),
      f('aux.txt'),
      f('ok.conf'),
      f('trailing.'),
      f('what?.conf'),
      d('logs'),
      f('logs/a.log'),
      f('Readme.md'),
      f('README.md'),
      f('Site.conf'),
    ]);
    const dst = idx('/C:/conf', [f('site.conf')]);
    const p = plan(src, dst, { ...mirror, windowsNames: true });
    const skipped = Object.fromEntries(
      p.entries.filter((e) => e.action === 'skip').map((e) => [e.path, e.reason]),
    );
    expect(Object.keys(skipped).sort()).toEqual([
      'CON',
      'Readme.md',
      'Site.conf',
      'aux.txt',
      'site.conf',
      'trailing.',
      'what?.conf',
    ]);
    expect(skipped.CON).toMatch(/device name on Windows \(CON\)/);
    expect(skipped['Readme.md']).toBe(
      'differs only in case from "README.md": a Windows destination holds one of them',
    );
    expect(skipped['Site.conf']).toBe('the destination holds it as "site.conf" (Windows names ignore case)');
    expect(skipped['site.conf']).toBe('the source has it as "Site.conf" (Windows names ignore case)');
    const rest = Object.fromEntries(
      p.entries.filter((e) => e.action !== 'skip').map((e) => [e.path, e.action]),
    );
    expect(rest).toEqual({
      'README.md': 'create',
      logs: 'create',
      'logs/a.log': 'create',
      'ok.conf': 'create',
    });
    expect(p.summary.counts.skip).toBe(7);
    // The same trees for a POSIX destination: nothing skipped (and the case twin is deleted, a file of its own).
    const posix = plan(src, idx('/conf', [f('site.conf')]), mirror);
    expect(posix.entries.filter((e) => e.action === 'skip')).toEqual([]);
  });

  it('the probe calls a host Windows when its SFTP home names a drive', () => {
    expect(isWindowsHome('/C:/Users/cfg')).toBe(true);
    expect(isWindowsHome('C:\\Users\\cfg')).toBe(true);
    expect(isWindowsHome('/home/cfg')).toBe(false);
    expect(parseProbe('', ['posix-rename@openssh.com'], new Date(0), '/D:/Users/cfg')).toMatchObject({
      shell: 'none',
      os: 'windows',
    });
    expect(parseProbe('shell=posix\n', [], new Date(0), '/home/cfg').os).toBe('posix');
  });
});
