// TypeScript's own answer to "what does this file import": the oracle the
// javascript deps tests compare runner with. Reads imports with
// ts.preProcessFile and resolves them with ts.resolveModuleName under the
// options of the tsconfig tsc would use for the file. Test-only; runner's code
// never imports typescript.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface TscImport {
  specifier: string;
  line: number;
  /** The real path tsc resolves it to (preserveSymlinks false), or null. */
  resolved: string | null;
}

const JS_FILE = /\.(?:js|jsx|mjs|cjs)$/;

/**
 * Resolves imports per file, caching parsed tsconfig files. Which tsconfig
 * owns a file, as tsserver picks it: the nearest tsconfig.json upward that
 * includes the file, directly or through its project `references` (so a
 * solution-style root hands src/ to tsconfig.app.json); when none includes
 * it, the nearest one; default options when there is none.
 */
export class TscResolution {
  private readonly configs = new Map<string, ts.ParsedCommandLine | null>();
  private readonly owners = new Map<string, ts.CompilerOptions>();
  private readonly cache = ts.createModuleResolutionCache(process.cwd(), (f) => f);
  private readonly imports = new Map<string, TscImport[]>();

  /** The imports of one file (absolute, real path), in source order; read once per file. */
  importsOf(file: string): TscImport[] {
    const known = this.imports.get(file);
    if (known !== undefined) return known;
    const found = this.read(file);
    this.imports.set(file, found);
    return found;
  }

  private read(file: string): TscImport[] {
    const text = fs.readFileSync(file, 'utf8');
    const options = this.optionsFor(file);
    // `declare module './x'` in a module file is an augmentation: preProcessFile lists it with the imports.
    const pre = ts.preProcessFile(text, true, JS_FILE.test(file));
    const implied = ts.getImpliedNodeFormatForFile(
      file as ts.Path,
      this.cache.getPackageJsonInfoCache(),
      ts.sys,
      options,
    );
    return pre.importedFiles.map((ref) => {
      const mode = modeOf(text, ref.pos, implied);
      const result = ts.resolveModuleName(ref.fileName, file, options, ts.sys, undefined, undefined, mode);
      const found = result.resolvedModule?.resolvedFileName;
      return {
        specifier: ref.fileName,
        line: text.slice(0, ref.pos).split('\n').length,
        resolved: found === undefined ? null : path.resolve(found),
      };
    });
  }

  /** The compiler options of the tsconfig that owns `file`. */
  optionsFor(file: string): ts.CompilerOptions {
    const known = this.owners.get(file);
    if (known !== undefined) return known;
    let nearest: ts.ParsedCommandLine | null = null;
    let owner: ts.ParsedCommandLine | null = null;
    for (let dir = path.dirname(file); owner === null; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'tsconfig.json');
      if (fs.existsSync(candidate)) {
        const parsed = this.parse(candidate);
        if (parsed !== null) {
          nearest ??= parsed;
          owner = this.including(parsed, file, new Set());
        }
      }
      if (path.dirname(dir) === dir) break;
    }
    const options = (owner ?? nearest)?.options ?? ts.getDefaultCompilerOptions();
    this.owners.set(file, options);
    return options;
  }

  private including(config: ts.ParsedCommandLine, file: string, seen: Set<string>): ts.ParsedCommandLine | null {
    if (config.fileNames.some((f) => path.resolve(f) === file)) return config;
    for (const ref of config.projectReferences ?? []) {
      const refPath = ts.resolveProjectReferencePath(ref);
      if (seen.has(refPath)) continue;
      seen.add(refPath);
      const parsed = this.parse(refPath);
      const found = parsed === null ? null : this.including(parsed, file, seen);
      if (found !== null) return found;
    }
    return null;
  }

  private parse(configFile: string): ts.ParsedCommandLine | null {
    if (!this.configs.has(configFile)) {
      const host: ts.ParseConfigFileHost = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} };
      this.configs.set(configFile, ts.getParsedCommandLineOfConfigFile(configFile, {}, host) ?? null);
    }
    return this.configs.get(configFile) ?? null;
  }
}

/**
 * The resolution mode of one import: `require(…)` is CommonJS, `import(…)`
 * ESM, any other import the file's own format (it matters only under
 * node16/nodenext, where "exports" conditions follow it).
 */
function modeOf(text: string, literalStart: number, implied: ts.ResolutionMode): ts.ResolutionMode {
  const before = text.slice(Math.max(0, literalStart - 40), literalStart - 1).replace(/\s+$/, '');
  if (!before.endsWith('(')) return implied;
  const callee = before.slice(0, -1).replace(/\s+$/, '');
  if (/(?:^|[^\w$.])require$/.test(callee)) return ts.ModuleKind.CommonJS;
  if (/(?:^|[^\w$.])import$/.test(callee)) return ts.ModuleKind.ESNext;
  return implied;
}
