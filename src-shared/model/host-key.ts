/** A pinned host key: the wire algorithm name (e.g. `ssh-ed25519`) and `SHA256:…` as `ssh-keygen -lf` prints it. */
export type HostKeyPin = { readonly algorithm: string; readonly fingerprint: string };

/** `ssh-ed25519` → `ED25519`, the label `ssh-keygen -lf` shows in parentheses. */
export function keyTypeLabel(algorithm: string): string {
  if (algorithm === 'ssh-ed25519') return 'ED25519';
  if (algorithm === 'ssh-rsa' || algorithm.startsWith('rsa-sha2')) return 'RSA';
  if (algorithm.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (algorithm === 'ssh-dss') return 'DSA';
  return algorithm.toUpperCase();
}
