import {
  ANY,
  type OperationKind,
  type ScheduleOperation,
  type ScheduleTime,
} from '../../../src-shared/model/schedule.js';

export const fieldNames = ['Minute', 'Hour', 'Day', 'Month', 'Weekday'] as const;
const ranges: ReadonlyArray<readonly [number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

/** An entry as the editor holds it: the five fields as typed ('' or ANY means any value). */
export type ScheduleForm = {
  readonly id: string | null;
  readonly kind: OperationKind;
  readonly setId: string | null;
  readonly fields: readonly [string, string, string, string, string];
  readonly catchUp: boolean;
  readonly enabled: boolean;
};

export function emptyScheduleForm(setId: string | null): ScheduleForm {
  return {
    id: null,
    kind: 'sync-set',
    setId,
    fields: ['0', '1', ANY, ANY, ANY],
    catchUp: false,
    enabled: true,
  };
}

export const operationLabels: Readonly<Record<OperationKind, string>> = {
  'sync-set': 'Synchronize a set',
  'backup-config': 'Back up the app configuration',
  'health-check': 'Run the health checks',
  'drift-check': 'Check for drift',
};

/** The five typed fields as a schedule time, or the first field's problem in words. */
export function timeOfFields(
  fields: ScheduleForm['fields'],
): { ok: true; time: ScheduleTime } | { ok: false; error: string } {
  const out: Array<number | typeof ANY> = [];
  for (const [i, raw] of fields.entries()) {
    const text = raw.trim().toUpperCase();
    const [min, max] = ranges[i] ?? [0, 0];
    if (text === '' || text === ANY || text === '*') out.push(ANY);
    else if (/^\d+$/.test(text) && Number(text) >= min && Number(text) <= max) out.push(Number(text));
    else return { ok: false, error: `${fieldNames[i]} must be ${min}–${max} or ANY` };
  }
  return { ok: true, time: out as unknown as ScheduleTime };
}

export function operationOfForm(form: ScheduleForm): ScheduleOperation | null {
  if (form.kind === 'sync-set') return form.setId ? { kind: 'sync-set', setId: form.setId } : null;
  return { kind: form.kind };
}

export function formOfEntry(entry: {
  id: string;
  operation: ScheduleOperation;
  time: ScheduleTime;
  catchUp: boolean;
  enabled: boolean;
}): ScheduleForm {
  const f = entry.time.map(String) as unknown as ScheduleForm['fields'];
  return {
    id: entry.id,
    kind: entry.operation.kind,
    setId: entry.operation.kind === 'sync-set' ? entry.operation.setId : null,
    fields: f,
    catchUp: entry.catchUp,
    enabled: entry.enabled,
  };
}

/** A local date and time for a next run. */
export function formatWhen(ms: number | null): string {
  if (ms === null) return 'never';
  return new Date(ms).toLocaleString(undefined, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}
