import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** A call or `new` expression found in a source file, as text. */
export type FoundCall = { readonly callee: string; readonly args: ReadonlyArray<string> };

export type ScannedSource = {
  readonly text: string;
  readonly file: ts.SourceFile;
};

const root = new URL('../../../', import.meta.url);

/** Parses a project file (path relative to the repo root) with the TypeScript compiler. */
export function scanSource(relativePath: string): ScannedSource {
  const path = fileURLToPath(new URL(relativePath, root));
  const text = readFileSync(path, 'utf8');
  return { text, file: ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true) };
}

function flat(node: ts.Node): string {
  return node.getText().replace(/\s+/g, ' ');
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

/**
 * Every call and `new` under `node`: `contents.on('x', fn)` gives callee `contents.on`. Argument text
 * has its whitespace collapsed, so formatting never changes what a check sees.
 */
export function callsIn(node: ts.Node): FoundCall[] {
  const found: FoundCall[] = [];
  walk(node, (n) => {
    if (ts.isCallExpression(n)) {
      found.push({ callee: n.expression.getText(), args: n.arguments.map(flat) });
    } else if (ts.isNewExpression(n)) {
      found.push({
        callee: `new ${n.expression.getText()}`,
        args: (n.arguments ?? []).map(flat),
      });
    }
  });
  return found;
}

/** The body of a top-level function declaration, so a check can say "inside this function". */
export function functionNamed(source: ScannedSource, name: string): ts.FunctionDeclaration {
  const fn = source.file.statements.find(
    (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name,
  );
  if (!fn) throw new Error(`no function ${name} in ${source.file.fileName}`);
  return fn;
}

/** Module specifiers imported for their values (type-only imports and `type` specifiers excluded). */
export function valueImports(source: ScannedSource): string[] {
  const specs: string[] = [];
  for (const s of source.file.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) continue;
    const clause = s.importClause;
    if (clause?.isTypeOnly) continue;
    const named = clause?.namedBindings;
    const onlyTypes =
      clause !== undefined &&
      clause.name === undefined &&
      named !== undefined &&
      ts.isNamedImports(named) &&
      named.elements.length > 0 &&
      named.elements.every((e) => e.isTypeOnly);
    if (!onlyTypes) specs.push(s.moduleSpecifier.text);
  }
  return specs;
}

/** Names of the properties of the object literal assigned to `const name = {...}`. */
export function objectKeys(source: ScannedSource, name: string): string[] {
  let keys: string[] | undefined;
  walk(source.file, (n) => {
    if (
      ts.isVariableDeclaration(n) &&
      n.name.getText() === name &&
      n.initializer &&
      ts.isObjectLiteralExpression(n.initializer)
    ) {
      keys = n.initializer.properties.map((p) => p.name?.getText() ?? '(spread)');
    }
  });
  if (!keys) throw new Error(`no object literal ${name} in ${source.file.fileName}`);
  return keys;
}

/** The string value of `const name = '...'`. */
export function stringConstant(source: ScannedSource, name: string): string | undefined {
  let value: string | undefined;
  walk(source.file, (n) => {
    if (
      ts.isVariableDeclaration(n) &&
      n.name.getText() === name &&
      n.initializer &&
      ts.isStringLiteral(n.initializer)
    ) {
      value = n.initializer.text;
    }
  });
  return value;
}
