/** The file name a backup gets by default: the app and the day, so backups sort by date. */
export function backupFileName(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `configsync-backup-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.json`;
}

/**
 * A default path for a backup: `<dataDir>/<file>` (a folder that exists; export does not create folders). The renderer has no `node:path`, so the
 * separator is the one the data folder already uses (a Windows data folder keeps its backslashes).
 */
export function defaultBackupPath(dataDir: string, now: Date = new Date()): string {
  const sep = dataDir.includes('\\') && !dataDir.includes('/') ? '\\' : '/';
  const base = dataDir.replace(/[\\/]+$/, '');
  return `${base}${sep}${backupFileName(now)}`;
}
