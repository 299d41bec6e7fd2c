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
    const names = pin.algorithm === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [pin.algorithm];
    for (const n of names) if (!out.includes(n)) out.push(n);
  }
  return out;
}

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
  const sameType = pins.find((p) => p.algorithm === presented.algorithm);
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
  const kept = pins.filter((p) => p.algorithm !== key.algorithm);
  const all = [...kept, { algorithm: key.algorithm, fingerprint: key.fingerprint }];
  const [first, ...rest] = all as [HostKeyPin, ...HostKeyPin[]];
  return { pinnedHostKey: first, otherHostKeys: rest };
}

/** True when a handshake failed only because the server offers none of the pinned key types any more. */
export function isNoPinnedAlgorithm(err: Error): boolean {
  return /no matching host key format/i.test(err.message);
}
