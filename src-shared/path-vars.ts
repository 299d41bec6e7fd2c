/** A `${NAME}` reference in an item path; NAME as the server's variables spell it. */
const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export type ExpandResult = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly missing: ReadonlyArray<string> };

/**
 * Expands a server's path variables in an item path (`${CONFIG_ROOT}/app` → `/opt/app/conf/app`).
 * Unknown names are reported, never left in place or replaced by nothing: a wrong root is worse than none.
 */
export function expandPathVars(path: string, vars: Readonly<Record<string, string>>): ExpandResult {
  const missing = new Set<string>();
  const out = path.replace(REF, (_m, name: string) => {
    const value = vars[name];
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    return value;
  });
  return missing.size > 0 ? { ok: false, missing: [...missing] } : { ok: true, path: out };
}
