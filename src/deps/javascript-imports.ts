// The imports one JavaScript or TypeScript file was read to have, as the
// lexer (javascript.ts) and the full parser (javascript-parse.ts) both report
// them and resolution (javascript-resolve.ts) takes them. Types only.

export interface JsImport {
  /** As written, escapes decoded: './a.js', 'pkg/sub', 'node:fs'. */
  specifier: string;
  /**
   * 'import' and 'export' are static `import … from`, `import 'x'`, TS
   * `import x = require('x')` and `export … from`; 'type' is TS `import type`,
   * `export type … from`, a `typeof import('x')` type or a module
   * augmentation `declare module 'x' { … }`; 'require' a `require('x')`
   * call; 'dynamic' an `import('x')` call.
   */
  kind: 'import' | 'export' | 'require' | 'dynamic' | 'type';
  line: number;
}

export interface JsFileImports {
  imports: JsImport[];
  /** Why the file could not be read or lexed, e.g. "cannot lex: Parse error @:2:17 (line 2)". */
  error: string | null;
}
