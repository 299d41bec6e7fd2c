import { parseArgs } from 'node:util';
import type { CliCommand } from './commands-types.js';
import { exitCodes } from '../../src-shared/errors.js';
import { setByName } from './lookup.js';
import { CliCallError } from './rpc-call.js';

const exportAnsible: CliCommand = {
  name: 'export ansible',
  summary: 'write an Ansible inventory and playbook that perform a sync set (for fleets beyond one desktop)',
  help: `Usage: configsync export ansible --set NAME [--out DIR]
  --set NAME   the sync set (its destinations are the secondaries of the server list)
  --out DIR    where inventory.ini, playbook.yml and known_hosts go (./ansible-NAME)
Then: cd DIR && ansible-playbook -i inventory.ini playbook.yml (needs the ansible.posix collection)`,
  async run(args, ctx) {
    const { values: v } = parseArgs({
      args,
      options: { set: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    });
    if (!v.set) throw new CliCallError('BAD_PARAMS', '--set is required.');
    const set = await setByName(ctx, v.set);
    const r = await ctx.call('export.ansible', { setId: set.id, path: v.out ?? `ansible-${set.name}` });
    ctx.io.out(`Wrote ${r.files.join(', ')} (${r.hosts} destination${r.hosts === 1 ? '' : 's'}).`);
    for (const s of r.skipped) ctx.io.err(`Left out ${s.server}: ${s.reason}`);
    return r.skipped.length > 0 ? exitCodes.partial : exitCodes.ok;
  },
};

export const exportCommands: ReadonlyArray<CliCommand> = [exportAnsible];
