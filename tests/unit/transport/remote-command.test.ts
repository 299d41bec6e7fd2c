import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  remoteCommand,
  shCommand,
  stdinPrefix,
  sudoRefusal,
} from '../../../src-main/transport/remote-command.js';

/** What a login shell running the exec request prints: the request is parsed by that shell first. */
const viaLogin = (shell: string, request: string) => execFileSync(shell, ['-c', request]).toString('utf8');

describe('remote commands run by /bin/sh whatever the login shell is', () => {
  const nasty = [
    `printf '%s|' 'plain' "two words"`,
    `printf '%s|' 'back\\slash' 'new\nline' 'bang!' "it's" '$(id)' '*' '[a]' '-rf'`,
    `for x in 1 2; do\n  printf '%s' "$x"\ndone`,
  ];
  for (const cmd of nasty)
    it(`carries ${JSON.stringify(cmd.slice(0, 40))} unchanged through sh and bash`, () => {
      const direct = execFileSync('/bin/sh', ['-c', cmd]).toString('utf8');
      expect(viaLogin('/bin/sh', shCommand(cmd))).toBe(direct);
      expect(viaLogin('/bin/bash', shCommand(cmd))).toBe(direct);
    });

  it('writes a command holding a newline, a backslash or a ! with none of them left in the request', () => {
    const request = shCommand(`echo 'a\\b'\necho hi!`);
    expect(request).not.toMatch(/[\n!]|\\\\|\\'/);
  });

  it('puts sudo in front, with the password only on stdin', () => {
    expect(remoteCommand('id -u', { sudo: true })).toBe(`sudo -n -- /bin/sh -c 'id -u'`);
    const withPw = remoteCommand('id -u', { sudo: true, user: 'svc', password: 'hunter2' });
    expect(withPw).toBe(`sudo -k -S -p '' -u 'svc' -- /bin/sh -c 'id -u'`);
    expect(withPw).not.toContain('hunter2');
    expect(stdinPrefix({ sudo: true, password: 'hunter2' })?.toString()).toBe('hunter2\n');
    expect(stdinPrefix({ sudo: true })).toBeNull();
    expect(remoteCommand('id -u', { sudo: false })).toBe(`/bin/sh -c 'id -u'`);
  });

  it('names each sudo refusal', () => {
    const p = { sudo: true } as const;
    expect(sudoRefusal('sudo: sorry, you must have a tty to run sudo', 'x', p)?.code).toBe(
      'SUDO_TTY_REQUIRED',
    );
    expect(sudoRefusal('Sorry, try again.\nsudo: 1 incorrect password attempt', 'x', p)?.code).toBe(
      'SUDO_WRONG_PASSWORD',
    );
    expect(sudoRefusal('sudo: a password is required', 'x', p)?.code).toBe('SUDO_PASSWORD_NEEDED');
    expect(sudoRefusal('bob is not in the sudoers file.', 'x', p)?.code).toBe('SUDO_NOT_ALLOWED');
    expect(sudoRefusal('tar: Cannot open', 'x', p)).toBeNull();
  });
});
