import type { HostKeyPin } from '../../src-shared/model/host-key.js';

/**
 * The host-key algorithms the negotiation may settle on for a set of pins: each pinned key's own
 * algorithm (an RSA key is signed with rsa-sha2-512/256 or ssh-rsa, its blob says `ssh-rsa`). With no
 * pin, null: the server may present whatever it prefers, and that key is shown for confirmation.
 */
export function negotiableHostKeyAlgorithms(pins: ReadonlyArray<HostKeyPin>): string[] | null {
  if (pins.length === 0) return null;
  const out: string[] = [];
  for (const pin of pins) {
    const names = WIRE_NAMES[keyFamily(pin.algorithm)];
    // A pin whose type is not known here (a label from elsewhere): the negotiation is not held.
    if (!names) return null;
    const own = names.includes(pin.algorithm) && keyFamily(pin.algorithm) !== 'rsa' ? [pin.algorithm] : names;
    for (const n of own) if (!out.includes(n)) out.push(n);
  }
  return out;
}

type KeyFamily = 'ed25519' | 'rsa' | 'ecdsa' | 'dss' | 'other';

/** The key type, whether written as the wire name (`ssh-ed25519`) or as ssh-keygen's label (`ED25519`). */
export function keyFamily(algorithm: string): KeyFamily {
  const a = algorithm.toLowerCase();
  if (a.includes('ed25519')) return 'ed25519';
  if (a.includes('rsa')) return 'rsa';
  if (a.includes('ecdsa')) return 'ecdsa';
  if (a.includes('dss') || a === 'dsa') return 'dss';
  return 'other';
}

const WIRE_NAMES: Readonly<Partial<Record<KeyFamily, ReadonlyArray<string>>>> = {
  ed25519: ['ssh-ed25519'],
  rsa: ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  ecdsa: ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'],
  dss: ['ssh-dss'],
};

/** What a presented key is against the pins: one of them, a changed key of a pinned type, a new type, or unknown. */
export type HostKeyVerdict =
  | { readonly kind: 'pinned' }
  | { readonly kind: 'changed'; readonly pin: HostKeyPin }
  | { readonly kind: 'new-algorithm'; readonly pins: ReadonlyArray<HostKeyPin> }
  | { readonly kind: 'unknown' };

/**
 * Compares a presented key with every pin of the host (one per algorithm). A key of a type that has a
 * pin must be that pin; a key of a type with no pin is not a change of any pinned key.
 */
export function judgeHostKey(presented: HostKeyPin, pins: ReadonlyArray<HostKeyPin>): HostKeyVerdict {
  if (pins.length === 0) return { kind: 'unknown' };
  if (pins.some((p) => p.fingerprint === presented.fingerprint)) return { kind: 'pinned' };
  const sameType = pins.find((p) => sameKeyType(p.algorithm, presented.algorithm));
  if (sameType) return { kind: 'changed', pin: sameType };
  return { kind: 'new-algorithm', pins };
}

/**
 * Adds a confirmed key to a host's pins: it replaces nothing; a key of a type already pinned is refused
 * by the caller before (that is a change, replaced only explicitly). The first pin stays first.
 */
export function addPin(
  pins: ReadonlyArray<HostKeyPin>,
  key: HostKeyPin,
): { pinnedHostKey: HostKeyPin; otherHostKeys: HostKeyPin[] } {
  const kept = pins.filter((p) => !sameKeyType(p.algorithm, key.algorithm));
  const all = [...kept, { algorithm: key.algorithm, fingerprint: key.fingerprint }];
  const [first, ...rest] = all as [HostKeyPin, ...HostKeyPin[]];
  return { pinnedHostKey: first, otherHostKeys: rest };
}

/** Same key type: equal names, or the same family when one side is a label (ECDSA curves are types of their own). */
function sameKeyType(a: string, b: string): boolean {
  if (a === b) return true;
  const fa = keyFamily(a);
  if (fa !== keyFamily(b) || fa === 'other') return false;
  // Two wire names of ECDSA with other curves are two types; a label (ECDSA) stands for any curve.
  return !(fa === 'ecdsa' && a.startsWith('ecdsa-') && b.startsWith('ecdsa-'));
}

/** True when a handshake failed only because the server offers none of the pinned key types any more. */
export function isNoPinnedAlgorithm(err: Error): boolean {
  return /no matching host key format/i.test(err.message);
}
