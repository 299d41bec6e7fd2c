import { describe, expect, it } from 'vitest';
import { diffParts, parseParts, partsToWrite } from '../../../src-main/services/servers/config-parts.js';

const set = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  items: [{ path: '/etc/app' }],
  ...extra,
});

describe('Backup Configuration parts', () => {
  it('leaves out one bad entry with its reason and keeps the rest', () => {
    const parsed = parseParts({
      syncSets: [set('s1', 'app'), { id: 's2', name: 'bad name!', items: [{ path: '/x' }] }, set('s3', 'app')],
      schedules: [
        { id: 'e1', operation: { kind: 'sync-set', setId: 's1' }, time: [0, 1, 'ANY', 'ANY', 'ANY'] },
        { id: 'e2', operation: { kind: 'sync-set', setId: 'gone' }, time: [0, 2, 'ANY', 'ANY', 'ANY'] },
        { id: 'e3', operation: { kind: 'health-check' }, time: [99, 1, 'ANY', 'ANY', 'ANY'] },
      ],
      autoSync: { s1: { every: 60 }, gone: 'on-change', s3: 'sometimes' },
    });
    expect(parsed.values.syncSets?.map((s) => s.name)).toEqual(['app']);
    expect(parsed.skipped.syncSets).toEqual([
      { name: 'bad name!', reason: expect.stringMatching(/^name: use letters/) as unknown as string },
      { name: 'app', reason: 'another sync set of the file has the same name or id' },
    ]);
    expect(parsed.values.schedules?.map((e) => e.id)).toEqual(['e1']);
    expect(parsed.skipped.schedules.map((x) => x.name)).toEqual(['schedule 2', 'schedule 3']);
    expect(parsed.skipped.schedules[0]?.reason).toContain('"gone"');
    expect(parsed.skipped.schedules[1]?.reason).toContain('minute must be 0–59');
    expect(parsed.values.autoSync).toEqual({ s1: { every: 60 } });
    expect(parsed.skipped.autoSync.map((x) => x.name).sort()).toEqual(['gone', 's3']);
    // Notifications were not in the file: that part is not written, the stored one stays.
    expect(parsed.inFile.has('notifications')).toBe(false);
    expect(Object.keys(partsToWrite(parsed)).sort()).toEqual(['autoSync', 'schedules', 'syncSets']);
  });

  it('says what changes field by field, old and new, in the words of the app', () => {
    const parsed = parseParts({
      syncSets: [set('s1', 'app', { mode: 'update' }), set('s2', 'web')],
      schedules: [{ id: 'e1', operation: { kind: 'sync-set', setId: 's1' }, time: [30, 2, 'ANY', 'ANY', 'ANY'] }],
      autoSync: { s2: 'on-change' },
      notifications: { desktop: 'all', email: 'off', smtp: null },
    });
    const diff = diffParts(
      {
        syncSets: [set('s1', 'app', { mode: 'mirror' }), set('s9', 'old')],
        schedules: [{ id: 'e1', operation: { kind: 'sync-set', setId: 's1' }, time: [0, 1, 'ANY', 'ANY', 'ANY'] }],
        autoSync: { s1: { every: 300 } },
        notifications: { desktop: 'failures', email: 'off', smtp: null },
      },
      parsed,
    );
    const [sets, schedules, auto, notify] = diff;
    expect(sets).toMatchObject({
      part: 'syncSets',
      inFile: true,
      added: [{ id: 's2', name: 'web' }],
      removed: [{ id: 's9', name: 'old' }],
    });
    expect(sets?.changed[0]?.changes).toContainEqual({ field: 'mode', old: 'mirror', new: 'update' });
    expect(schedules?.changed).toEqual([
      {
        id: 'e1',
        name: 'synchronize "app" at 30 2 ANY ANY ANY',
        changes: [{ field: 'time', old: '0 1 ANY ANY ANY', new: '30 2 ANY ANY ANY' }],
      },
    ]);
    expect(auto?.changed).toEqual([
      { id: 's1', name: 'app', changes: [{ field: 'automatic sync', old: 'every 300 s', new: 'off' }] },
      { id: 's2', name: 'web', changes: [{ field: 'automatic sync', old: 'off', new: 'on change' }] },
    ]);
    expect(notify?.changed[0]?.changes).toEqual([{ field: 'desktop', old: 'failures', new: 'all' }]);
  });

  it('leaves a part the file does not hold as it is, and says so', () => {
    const parsed = parseParts({});
    const diff = diffParts({ syncSets: [set('s1', 'app')] }, parsed);
    expect(diff.every((p) => !p.inFile && p.removed.length === 0)).toBe(true);
    expect(partsToWrite(parsed)).toEqual({});
  });
});
