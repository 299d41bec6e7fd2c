// One process writing the shared store: `node --import tsx store-writer.ts DATA_DIR NAME COUNT`.
// Waits for DATA_DIR/go to exist, so that both writers of the test start at the same moment.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openSettingsStore } from '../../../src-main/store/settings-store.js';
import { ServerService } from '../../../src-main/services/servers/server-service.js';
import { sshServerFields } from '../../../src-shared/model/server.js';

const [dataDir, name, countText] = process.argv.slice(2) as [string, string, string];
const count = Number(countText);
const store = openSettingsStore(dataDir);
const servers = new ServerService(store);
const pause = new Int32Array(new SharedArrayBuffer(4));
while (!existsSync(join(dataDir, 'go'))) Atomics.wait(pause, 0, 0, 5);
for (let i = 0; i < count; i++) {
  store.set(`${name}-${i}`, i);
  if (i % 10 === 0) {
    // Another kind of write: the server list (a whole-list write of the keys write() owns).
    servers.add(
      sshServerFields.parse({
        name: `${name}-srv-${i}`,
        host: '10.0.0.1',
        user: 'cfg',
        role: 'not-selected',
      }),
    );
    servers.commit();
  }
}
