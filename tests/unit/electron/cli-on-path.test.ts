// The installed app is its own `configsync`: each target of electron-builder.yml puts it on the PATH
// (Linux packages), offers to (the Windows installer), or the README says where it is (macOS, AppImage).
// Read through electron-builder's own loader, with electron-builder's own install scripts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getConfig } from 'app-builder-lib/out/util/config/config.js';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
type Config = Awaited<ReturnType<typeof getConfig>>;
let config: Config;
const text = (relative: string) => readFileSync(join(root, relative), 'utf8');
const builderTemplates = join(
  dirname(createRequire(import.meta.url).resolve('app-builder-lib/package.json')),
  'templates',
);

beforeAll(async () => {
  config = await getConfig(root, 'electron-builder.yml', null);
});

function targets(value: unknown): unknown[] {
  return (Array.isArray(value) ? value : [value]).map((t: unknown) =>
    typeof t === 'object' && t !== null && 'target' in t ? t.target : t,
  );
}

describe('Linux: deb and rpm put configsync on the PATH', () => {
  it('the binary is named configsync and the deb and rpm keep electron-builder’s own install scripts', () => {
    expect(config.linux?.executableName).toBe('configsync');
    expect(targets(config.linux?.target)).toEqual(expect.arrayContaining(['deb', 'rpm', 'AppImage']));
    for (const pkg of [config.deb, config.rpm]) {
      expect(pkg?.afterInstall).toBeUndefined();
      expect(pkg?.afterRemove).toBeUndefined();
    }
  });

  it('whose after-install links /usr/bin/configsync to the app, and after-remove takes it away', () => {
    const install = readFileSync(join(builderTemplates, 'linux', 'after-install.tpl'), 'utf8');
    expect(install).toContain(
      "update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}'",
    );
    expect(install).toContain("ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'");
    const remove = readFileSync(join(builderTemplates, 'linux', 'after-remove.tpl'), 'utf8');
    expect(remove).toContain(
      "update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}'",
    );
    expect(remove).toContain("rm -f '/usr/bin/${executable}'");
  });

  it('the AppImage, which installs nothing, is linked by hand as the README says', () => {
    expect(text('README.md')).toMatch(/ln -s .*\.AppImage ~\/\.local\/bin\/configsync/);
  });
});

describe('Windows: the installer offers to put configsync on the PATH', () => {
  it('ships bin\\configsync.cmd, which runs ConfigSync.exe with its arguments and its exit code', () => {
    expect(config.win?.extraFiles).toEqual([
      { from: 'assets/windows/configsync.cmd', to: 'bin/configsync.cmd' },
    ]);
    const cmd = text('assets/windows/configsync.cmd');
    expect(cmd).toContain(`"%~dp0..\\${config.productName}.exe" %*`);
    expect(cmd).toContain('exit /b %ERRORLEVEL%');
  });

  it('its NSIS include asks (yes when silent), adds $INSTDIR\\bin to the user PATH once, and the uninstaller removes it', () => {
    expect(config.nsis?.include).toBe('assets/windows/installer-path.nsh');
    const nsh = text(config.nsis?.include as string);
    const install = /!macro customInstall([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(install).toMatch(/MessageBox MB_YESNO[^\n]*PATH[^\n]*\/SD IDYES IDNO (\w+)/);
    expect(install).toContain('ReadRegStr $0 HKCU "Environment" "Path"');
    expect(install).toContain('${StrStr} $1 "$0" "$INSTDIR\\bin"');
    expect(install).toContain('WriteRegExpandStr HKCU "Environment" "Path" "$0;$INSTDIR\\bin"');
    expect(install).toContain('WM_WININICHANGE');
    const uninstall = /!macro customUnInstall([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(uninstall).toContain('${UnStrRep} $1 "$0" ";$INSTDIR\\bin" ""');
    expect(uninstall).toContain('WriteRegExpandStr HKCU "Environment" "Path" "$1"');
  });
});

describe('macOS: the path of the command is documented', () => {
  it('the README names the app binary and how to link it', () => {
    expect(targets(config.mac?.target)).toEqual(['dmg']);
    expect(text('README.md')).toContain(
      `/Applications/${config.productName}.app/Contents/MacOS/${config.productName}`,
    );
    expect(text('README.md')).toMatch(/ln -s .*Contents\/MacOS\/ConfigSync \/usr\/local\/bin\/configsync/);
  });
});
