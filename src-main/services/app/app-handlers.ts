import type { Handlers } from '../../rpc/router.js';

export type AppInfo = {
  readonly version: string;
  readonly shell: 'electron' | 'browser' | 'cli';
  readonly dataDir: string;
  readonly storePath: string;
};

/** Handlers for the `app.*` methods: facts about this running instance. */
export function appHandlers(info: AppInfo): Pick<Handlers, 'app.info' | 'app.echo'> {
  return {
    'app.info': () => ({
      name: 'ConfigSync',
      version: info.version,
      shell: info.shell,
      storePath: info.storePath,
      dataDir: info.dataDir,
      platform: `${process.platform}-${process.arch}`,
      node: process.versions.node,
    }),
    'app.echo': ({ text }) => ({ text, receivedAt: new Date().toISOString() }),
  };
}
