// The Electron entry really hands command-line use to the dispatch tested under Node
// (tests/integration/cli/launch-dispatch.test.ts), before any window, tray or single-instance lock.
import { describe, expect, it } from 'vitest';
import { callsIn, functionNamed, scanSource } from './source-scan.js';

describe('main.ts: command-line use goes to the same CLI, with no window', () => {
  const main = scanSource('src-main/electron/main.ts');
  const all = callsIn(main.file);

  it('asks cliArgsOfLaunch about process.argv, then either runs the CLI or starts the app', () => {
    const asked = all.filter((c) => c.callee === 'cliArgsOfLaunch');
    expect(asked).toHaveLength(1);
    expect(asked[0]?.args).toEqual(['process.argv', '{ packaged: app.isPackaged }']);
    // The single-instance lock (and so the window) is only taken on the app's side of that choice.
    const choice = main.text.indexOf('if (cliArgsOfLaunch(');
    expect(choice).toBeGreaterThan(0);
    expect(main.text.indexOf('app.requestSingleInstanceLock()')).toBeGreaterThan(choice);
    expect(main.text.indexOf('runAsCli();')).toBeGreaterThan(choice);
  });

  it('runAsCli runs runLaunchAsCli on the terminal with the app as the service command, then exits with its code', () => {
    const runAsCli = functionNamed(main, 'runAsCli');
    const calls = callsIn(runAsCli).map((c) => c.callee);
    expect(calls).toContain('runLaunchAsCli');
    expect(calls).toContain('terminalIo');
    expect(calls).toContain('app.exit');
    expect(calls).not.toContain('createWindow');
    expect(calls).not.toContain('installTray');
    expect(runAsCli.getText()).toMatch(/selfCommand,/);
    expect(main.text).toMatch(/process\.env\.APPIMAGE \?\? process\.execPath/);
  });
});
