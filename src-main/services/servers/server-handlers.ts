import type { Handlers } from '../../rpc/router.js';
import type { ConnectDeps } from './server-connect.js';
import { replaceHostKey, testConnection, trustHostKey } from './server-connect.js';
import { setupKey } from './server-key-setup.js';
import { discover, importKnownHost, sshConfigHosts } from './server-import.js';
import { importSshConfig } from './ssh-config-import.js';
import { exportAnsible } from './ansible-export.js';
import { SyncSetService } from '../sync/sync-set-service.js';
import { exportConfig, importConfig, previewImport } from './server-backup.js';

type ServerMethod =
  | 'servers.list'
  | 'servers.add'
  | 'servers.edit'
  | 'servers.remove'
  | 'servers.setRole'
  | 'servers.commit'
  | 'servers.reset'
  | 'servers.test'
  | 'servers.trustHostKey'
  | 'servers.replaceHostKey'
  | 'servers.importKnownHost'
  | 'servers.setupKey'
  | 'servers.appKey'
  | 'servers.discover'
  | 'servers.sshConfigHosts'
  | 'servers.importSshConfig'
  | 'export.ansible'
  | 'config.export'
  | 'config.importPreview'
  | 'config.import';

export type ServerHandlerDeps = ConnectDeps & {
  /** After a commit: `imported` when it wrote the parts of an imported backup (sets, schedules, …). */
  readonly onCommitted?: (imported: boolean) => Promise<void>;
};

/** Handlers for `servers.*` and `config.*`; params arrive parsed by the router. */
export function serverHandlers(deps: ServerHandlerDeps): Pick<Handlers, ServerMethod> {
  const { service, keys } = deps;
  return {
    'servers.list': () => service.state(),
    'servers.add': ({ server }) => service.add(server),
    'servers.edit': ({ id, patch }) => service.edit(id, patch),
    'servers.remove': ({ id }) => service.remove(id),
    'servers.setRole': ({ id, role }) => service.setRole(id, role),
    'servers.commit': async () => {
      const imported = service.hasStagedParts();
      const state = service.commit();
      await deps.onCommitted?.(imported);
      return state;
    },
    'servers.reset': () => service.reset(),
    'servers.test': ({ id, path }) => testConnection(deps, id, path),
    'servers.trustHostKey': ({ id, fingerprint }) => trustHostKey(deps, id, fingerprint),
    'servers.replaceHostKey': ({ id, fingerprint }) => replaceHostKey(deps, id, fingerprint),
    'servers.importKnownHost': ({ id, path }) => importKnownHost(deps, id, path),
    'servers.setupKey': ({ id, password }) => setupKey(deps, id, password),
    'servers.appKey': () => ({
      publicKey: keys.publicKey(),
      path: keys.publicPath,
      protection: keys.protection(),
    }),
    'servers.discover': ({ host }) => discover(host),
    'servers.sshConfigHosts': ({ path }) => sshConfigHosts(service.draftList(), path, deps.homeDir),
    'servers.importSshConfig': ({ aliases, path }) => importSshConfig(service, aliases, path, deps.homeDir),
    'export.ansible': ({ setId, path }) =>
      exportAnsible(deps, new SyncSetService(service.store).get(setId), service.committed(), path),
    'config.export': ({ path }) => exportConfig(service, path),
    'config.importPreview': (source) => previewImport(service, source),
    'config.import': (source) => importConfig(service, source),
  };
}
