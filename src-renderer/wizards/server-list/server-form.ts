import {
  sshServerFields,
  serverVars,
  type Server,
  type ServerRole,
  type SshServerFields,
} from '../../../src-shared/model/server.js';

/** The server info page's fields as typed (numbers may be empty while the user types). */
export type ServerForm = {
  readonly kind: 'ssh' | 'local';
  readonly name: string;
  readonly host: string;
  readonly port: number | string;
  readonly user: string;
  readonly contactTimeoutSec: number | string;
  readonly role: ServerRole;
  readonly authKind: 'app-key' | 'agent' | 'key-file';
  readonly keyPath: string;
  readonly vars: ReadonlyArray<{ readonly name: string; readonly value: string }>;
};

/** Problems by field name (`vars.3` for one variable row), in the schema's words. */
export type FormErrors = Readonly<Record<string, string>>;

export function emptyForm(role: ServerRole): ServerForm {
  return {
    kind: 'ssh',
    name: '',
    host: '',
    port: 22,
    user: 'root',
    contactTimeoutSec: 15,
    role,
    authKind: 'app-key',
    keyPath: '',
    vars: [],
  };
}

export function formOf(s: Server): ServerForm {
  const vars = Object.entries(s.vars).map(([name, value]) => ({ name, value }));
  if (s.kind === 'local') return { ...emptyForm(s.role), kind: 'local', name: s.name, user: '', vars };
  return {
    kind: 'ssh',
    name: s.name,
    host: s.host,
    port: s.port,
    user: s.user,
    contactTimeoutSec: s.contactTimeoutSec,
    role: s.role,
    authKind: s.auth.kind,
    keyPath: s.auth.kind === 'key-file' ? s.auth.path : '',
    vars,
  };
}

const toNumber = (v: number | string): number =>
  typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v);

/**
 * Checks the form with the same schema main uses, so the words beside each field are main's words.
 * Returns the parsed fields, or the first problem of each field.
 */
export function validateForm(
  form: ServerForm,
): { ok: true; value: SshServerFields } | { ok: false; errors: FormErrors } {
  const errors: Record<string, string> = {};
  const seen = new Map<string, number>();
  form.vars.forEach((v, i) => {
    const name = v.name.trim();
    if (name === '') errors[`vars.${i}`] = 'Give the variable a name, or remove the row';
    else if (seen.has(name)) errors[`vars.${i}`] = `${name} is already defined above`;
    else {
      const one = serverVars.safeParse({ [name]: v.value });
      if (!one.success)
        errors[`vars.${i}`] = `${name}: ${one.error.issues[0]?.message ?? 'not a valid variable'}`;
    }
    seen.set(name, i);
  });
  const candidate = {
    name: form.name,
    host: form.kind === 'local' ? 'localhost' : form.host,
    port: toNumber(form.port),
    user: form.kind === 'local' ? 'local' : form.user,
    role: form.role,
    contactTimeoutSec: toNumber(form.contactTimeoutSec),
    vars: Object.fromEntries(form.vars.map((v) => [v.name.trim(), v.value])),
    auth: form.authKind === 'key-file' ? { kind: 'key-file', path: form.keyPath } : { kind: form.authKind },
  };
  const parsed = sshServerFields.safeParse(candidate);
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] === 'auth' ? 'keyPath' : String(issue.path[0] ?? 'name');
      if (field === 'vars') continue;
      errors[field] ??= issue.message;
    }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}
