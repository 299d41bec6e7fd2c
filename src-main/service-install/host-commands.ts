import { execFile } from 'node:child_process';

export type CommandResult = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** Runs an OS tool (systemctl, loginctl, launchctl, schtasks, id) without a shell. */
export type RunCommand = (command: string, args: ReadonlyArray<string>) => Promise<CommandResult>;

export const runHostCommand: RunCommand = (command, args) =>
  new Promise((resolve) => {
    execFile(command, [...args], { timeout: 30_000, windowsHide: true }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 127
        : 0;
      resolve({
        code,
        stdout: String(stdout),
        stderr: String(stderr || (err && code === 127 ? err.message : '')),
      });
    });
  });
