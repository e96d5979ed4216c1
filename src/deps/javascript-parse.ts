// The second reader of JavaScript imports: a full parse with @babel/parser,
// for the files es-module-lexer cannot lex (JSX with closing tags above all).
// Slower than the lexer by an order of magnitude, so it is never the first try.
import { createRequire } from 'node:module';
import type { ParserPlugin } from '@babel/parser';
import type { Node } from '@babel/types';

// Loaded on the first file that needs it: imported statically, the parser (a large CommonJS file) cost every
// command about 60 ms of start-up, --version included, for the few trees that ever reach it.
let babelParse: typeof import('@babel/parser').parse | null = null;
function parse(
  ...args: Parameters<typeof import('@babel/parser').parse>
): ReturnType<typeof import('@babel/parser').parse> {
  babelParse ??= (createRequire(import.meta.url)('@babel/parser') as typeof import('@babel/parser')).parse;
  return babelParse(...args);
}
import type { JsFileImports, JsImport } from './javascript-imports.js';

/** AST keys that hold positions or comments, never code. */
const NOT_CODE = new Set([
  'loc',
  'start',
  'end',
  'range',
  'extra',
  'leadingComments',
  'trailingComments',
  'innerComments',
  'comments',
  'tokens',
  'errors',
]);

function pluginsFor(file: string): ParserPlugin[] {
  if (/\.[mc]?ts$/.test(file)) return ['typescript', 'decorators-legacy'];
  if (file.endsWith('.tsx')) return ['typescript', 'jsx', 'decorators-legacy'];
  return ['jsx', 'decorators-legacy'];
}

/** The imports of one file's text by a full parse; the same kinds as lexJavaScriptImports. */
export function parseJavaScriptImports(source: string, file: string): JsFileImports {
  let ast: Node;
  const commonjs = file.endsWith('.cjs') || file.endsWith('.cts');
  try {
    ast = parse(source, {
      // 'commonjs' allows a top-level return by itself and refuses the two options.
      ...(commonjs
        ? { sourceType: 'commonjs' }
        : { sourceType: 'unambiguous', allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true }),
      plugins: pluginsFor(file),
      createImportExpressions: true,
      allowUndeclaredExports: true,
      attachComment: false,
      errorRecovery: false,
    });
  } catch (err) {
    const loc =
      typeof err === 'object' && err !== null && 'loc' in err ? (err as { loc?: { line?: number } }).loc : undefined;
    const message = (err instanceof Error ? err.message : String(err)).replace(/ \(\d+:\d+\)$/, '');
    return { imports: [], error: `cannot parse: ${message}${loc?.line === undefined ? '' : ` (line ${loc.line})`}` };
  }
  const found: { at: number; imp: JsImport }[] = [];
  const add = (node: Node, specifier: string, kind: JsImport['kind']): void => {
    found.push({ at: node.start ?? 0, imp: { specifier, kind, line: node.loc?.start.line ?? 0 } });
  };
  // A script's `declare module 'x'` is an ambient declaration, not an augmentation (see lexDeclareModules).
  // Top-level statements only, as tsc decides: exports inside `declare module 'x' {}` do not count.
  const isModule =
    ast.type === 'File' &&
    ast.program.body.some((n) => /^(?:Import|Export\w*|TSImportEquals)Declaration$|^TSExportAssignment$/.test(n.type));
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const v of value) stack.push(v);
      continue;
    }
    if (typeof value !== 'object' || value === null || !('type' in value)) continue;
    const node = value as Node;
    visit(node, add, isModule);
    for (const key of Object.keys(node)) {
      if (!NOT_CODE.has(key)) stack.push((node as unknown as Record<string, unknown>)[key]);
    }
  }
  found.sort((a, b) => a.at - b.at);
  return { imports: found.map((f) => f.imp), error: null };
}

function visit(
  node: Node,
  add: (node: Node, specifier: string, kind: JsImport['kind']) => void,
  isModule: boolean,
): void {
  switch (node.type) {
    case 'TSModuleDeclaration': {
      if (node.id.type !== 'StringLiteral' || node.id.value.includes('*')) break;
      const s = node.id.value;
      if (isModule || s === '.' || s === '..' || s.startsWith('./') || s.startsWith('../')) add(node, s, 'type');
      break;
    }
    case 'ImportDeclaration':
      add(node, node.source.value, node.importKind === 'type' || node.importKind === 'typeof' ? 'type' : 'import');
      break;
    case 'ExportNamedDeclaration':
      if (node.source != null) add(node, node.source.value, node.exportKind === 'type' ? 'type' : 'export');
      break;
    case 'ExportAllDeclaration':
      add(node, node.source.value, node.exportKind === 'type' ? 'type' : 'export');
      break;
    case 'TSImportEqualsDeclaration':
      if (node.moduleReference.type === 'TSExternalModuleReference') {
        add(node, node.moduleReference.expression.value, node.importKind === 'type' ? 'type' : 'import');
      }
      break;
    case 'TSImportType':
      add(node, node.argument.value, 'type');
      break;
    case 'ImportExpression': {
      const s = literal(node.source);
      if (s !== null) add(node, s, 'dynamic');
      break;
    }
    case 'CallExpression': {
      if (node.callee.type === 'Import') {
        const s = node.arguments.length >= 1 ? literal(node.arguments[0] as Node) : null;
        if (s !== null) add(node, s, 'dynamic');
      } else if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) {
        const s = literal(node.arguments[0] as Node);
        if (s !== null) add(node, s, 'require');
      }
      break;
    }
    default:
      break;
  }
}

/** A string literal, or a template literal without substitutions (one file); null otherwise. */
function literal(node: Node): string | null {
  if (node.type === 'StringLiteral') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0]?.value.cooked ?? null;
  return null;
}
