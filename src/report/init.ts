// What `runner init` prints: the file it wrote, what it found, each tool, and
// what to do next; with --json one object.
import type { InitResult } from '../init/index.js';
import { type Style, bold, dim } from './style.js';

function commandText(command: unknown): string {
  return Array.isArray(command) ? command.join(' ') : String(command);
}

function foundText(r: InitResult): string {
  const f = r.found;
  const parts: string[] = [];
  const of = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  if (f.python > 0) parts.push(`Python: ${of(f.python, 'file')}, ${of(f.pythonTests, 'test file')}`);
  if (f.typescript > 0) parts.push(`TypeScript: ${of(f.typescript, 'file')}`);
  if (f.javascript > 0 || f.jsTests > 0)
    parts.push(`JavaScript: ${of(f.javascript, 'file')}, ${of(f.jsTests, 'test file')}`);
  return parts.join('; ');
}

/** runner: the command as the user typed it to reach this tree (`runner -C dir`), for the next steps. */
export function renderInit(style: Style, r: InitResult, runner: string): string {
  const tools = (r.config.tools as { name: string; command: unknown }[]) ?? [];
  const width = Math.max(...tools.map((t) => t.name.length));
  const lines = [
    bold(style, `runner: wrote ${r.displayFile}`) + ` (${foundText(r)})`,
    ...tools.map((t) => `  ${t.name.padEnd(width)}  ${dim(style, commandText(t.command))}`),
    ...r.notes.map((n) => `runner: note: ${n}`),
    'Next:',
    `  ${runner} run            run every job once; after that, only what changed`,
    `  ${runner} watch          run again on each change (keys: a all, f failed, Enter stale, q quit)`,
    `  ${runner} hook install   check the staged files before each commit`,
    `Edit ${r.displayFile} to add your linters; its "$schema" lets an editor complete and check the keys.`,
  ];
  return lines.join('\n') + '\n';
}

export function initJson(r: InitResult): string {
  return (
    JSON.stringify({
      command: 'init',
      exitCode: 0,
      file: r.displayFile,
      found: r.found,
      notes: r.notes,
      config: r.config,
    }) + '\n'
  );
}
