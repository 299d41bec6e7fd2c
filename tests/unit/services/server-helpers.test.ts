import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCapabilities } from '../../../src-main/services/servers/server-capabilities.js';
import { keygenDisplay } from '../../../src-main/services/servers/server-connect.js';
import { knownHostKeys, knownHostsMatches } from '../../../src-main/services/servers/server-import.js';
import { diffServers } from '../../../src-main/services/servers/server-backup.js';
import type { Server } from '../../../src-shared/model/server.js';

// An ed25519 public key blob (any 32 bytes make a well-formed one).
const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
const b64 = blob.toString('base64');

describe('capabilities', () => {
  it('reads the probe output, with missing answers as "not available"', () => {
    const c = parseCapabilities('os=Linux 6.1.0\nshell=/bin/bash\npath=/root\nfind=1\ntar=1\nsha256sum=0\nfreekb=1024\n');
    expect(c).toEqual({ os: 'Linux 6.1.0', shell: '/bin/bash', freeSpacePath: '/root', findPrintf: true, tar: true, sha256sum: false, freeBytes: 1024 * 1024 });
    expect(parseCapabilities('os=SunOS 5.11\n')).toMatchObject({ findPrintf: false, tar: false, freeBytes: null });
  });
});

describe('host key display', () => {
  it('prints the way ssh-keygen -lf does', () => {
    const fp = `SHA256:${'x'.repeat(43)}`;
    expect(keygenDisplay({ algorithm: 'ssh-ed25519', fingerprint: fp }).display).toBe(`256 ${fp} (ED25519)`);
    expect(keygenDisplay({ algorithm: 'ecdsa-sha2-nistp384', fingerprint: fp }).display).toBe(`384 ${fp} (ECDSA)`);
    expect(keygenDisplay({ algorithm: 'rsa-sha2-512', fingerprint: fp }).display).toBe(`${fp} (RSA)`);
  });
});

describe('known_hosts', () => {
  it('matches plain and [host]:port names, and hashed entries by hashing the name', () => {
    const salt = Buffer.alloc(20, 3);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[10.0.0.5]:2222').digest('base64')}`;
    expect(knownHostsMatches('web1,10.0.0.5', '10.0.0.5')).toBe(true);
    expect(knownHostsMatches('web1,10.0.0.5', '10.0.0.6')).toBe(false);
    expect(knownHostsMatches(hashed, '[10.0.0.5]:2222')).toBe(true);
    expect(knownHostsMatches(hashed, '10.0.0.5')).toBe(false);
    const text = [`# comment`, `@revoked [10.0.0.5]:2222 ssh-ed25519 ${b64}`, `${hashed} ssh-ed25519 ${b64}`, `other ssh-ed25519 ${b64}`].join('\n');
    const keys = knownHostKeys(text, '10.0.0.5', 2222);
    expect(keys).toHaveLength(1);
    expect(keys[0]?.algorithm).toBe('ssh-ed25519');
    expect(keys[0]?.display).toMatch(/^256 SHA256:[A-Za-z0-9+/]{43} \(ED25519\)$/);
  });
});

describe('backup diff', () => {
  const ssh = (id: string, name: string, port = 22): Server => ({
    kind: 'ssh', id, name, host: 'h', port, user: 'u', role: 'secondary', contactTimeoutSec: 15, vars: {}, auth: { kind: 'app-key' }, pinnedHostKey: null, lastContact: null,
  });
  it('lists added, removed and changed servers with the changed fields', () => {
    const d = diffServers([ssh('a', 'A'), ssh('b', 'B')], [ssh('a', 'A', 2222), ssh('c', 'C')]);
    expect(d).toEqual({ added: [{ id: 'c', name: 'C' }], removed: [{ id: 'b', name: 'B' }], changed: [{ id: 'a', name: 'A', fields: ['port'], changes: [{ field: 'port', old: '22', new: '2222' }] }] });
    expect(diffServers([ssh('a', 'A')], [{ ...ssh('a', 'A'), lastContact: { at: 'x', ok: true, message: '' } }]).changed).toEqual([]);
  });
});
