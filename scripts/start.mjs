// `npm start`: the Electron shell when its runtime is installed, otherwise the loopback browser shell.
// Never triggers the Electron download: it only looks at what is already on disk.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const wantBrowser = args.includes('--browser');
const noOpen = args.includes('--no-open') || process.env.CI === 'true';
const passThrough = args.filter((a) => a !== '--browser' && a !== '--no-open');

/** The Electron binary if its runtime was downloaded into node_modules/electron/dist, else why not. */
function electronRuntime() {
  const dir = join(root, 'node_modules', 'electron');
  if (!existsSync(dir)) return { missing: 'the electron package is not installed (run npm ci)' };
  const pathTxt = join(dir, 'path.txt');
  if (!existsSync(pathTxt))
    return { missing: 'the Electron runtime has not been downloaded (npm run electron:install fetches it; it needs internet access)' };
  const binary = join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  if (!existsSync(binary)) return { missing: `the Electron runtime is incomplete (${binary} is missing)` };
  return { binary };
}

function openInBrowser(url) {
  if (noOpen) return;
  const opener =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? ['xdg-open', [url]] : null;
  if (!opener) return;
  const child = spawn(opener[0], opener[1], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

const runtime = electronRuntime();
if (!wantBrowser && runtime.binary) {
  const child = spawn(runtime.binary, [root, ...passThrough], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    wantBrowser
      ? 'ConfigSync: starting the browser shell (--browser).'
      : `ConfigSync: Electron is not available here: ${runtime.missing}.\nStarting the browser shell instead: the same app in your browser, on this machine only.`,
  );
  const web = await import(pathToFileURL(join(root, 'build/main/src-main/web/start.js')).href);
  await web.main(passThrough, { onUrl: openInBrowser });
}
