// Renders stale reasons as the words `explain`, `--dry-run` and `-v` print.
import type { StaleReason } from '../plan/index.js';
import { assertNever } from '../types.js';

function envValue(form: string): string {
  if (form === 'unset') return 'unset';
  if (form === 'absent') return 'not given to tools';
  if (form.startsWith('=')) return JSON.stringify(form.slice(1));
  if (form.startsWith('#')) return `a value from the caller (hash ${form.slice(1, 9)})`;
  return form;
}

/** A digest shortened for reading; a word such as "missing" or "no match" as it is. */
const short = (d: string): string => (/^[0-9a-f]{32}$/.test(d) ? d.slice(0, 12) : d);

export function describeReason(r: StaleReason): string {
  switch (r.kind) {
    case 'new':
      return 'new file';
    case 'content':
      return `content changed (${short(r.from)} -> ${short(r.to)})`;
    case 'dependency': {
      if (r.path.startsWith('?')) {
        const name = r.path.slice(1); // an import that resolved nowhere
        return r.change === 'removed' ? `import ${name} now resolves` : `import ${name} resolves nowhere`;
      }
      if (r.change === 'renamed')
        return `dependency ${r.path} ${r.to === r.path ? 'was' : `is named ${r.to ?? '?'} now,`} ${r.from ?? '?'} in the last run (another HOME: a key holds the name as well as the content)`;
      const what = r.change === 'added' ? 'is new' : r.change === 'removed' ? 'is no longer one' : 'changed';
      return r.via.length > 1 ? `dependency ${r.via.join(' -> ')} ${what}` : `dependency ${r.path} ${what}`;
    }
    case 'tool-config':
      return r.key.startsWith('(')
        ? `tool definition changed ${r.key}`
        : `tool definition changed: ${r.key} was ${JSON.stringify(r.from)}, now ${JSON.stringify(r.to)}`;
    case 'env':
      return `env ${r.name} changed: was ${envValue(r.from)}, now ${envValue(r.to)}`;
    case 'tool-binary':
      return `tool program changed: ${r.from} -> ${r.to}`;
    // A file of a directory or glob input that appeared or went: the other side is "not declared".
    case 'tool-input':
      return r.from === 'not declared'
        ? `tool input ${r.path} is new (${short(r.to)})`
        : r.to === 'not declared'
          ? `tool input ${r.path} is gone (was ${short(r.from)})`
          : `tool input ${r.path} changed (${short(r.from)} -> ${short(r.to)})`;
    case 'never-run':
      return 'never run';
    case 'interrupted':
      return 'interrupted last time';
    case 'unjudged':
      return `failed with its batch chunk last time, not judged alone: the narrowing stopped after ${r.processes} ${r.processes === 1 ? 'process' : 'processes'} (${r.stop === 'budget' ? 'its budget, the tool\'s "narrowing"' : "a dense failure: all but the first file, together, printed the chunk's own output"}); it runs again`;
    case 'forced':
      return 'forced (--force)';
    case 'rerun-failed':
      return 'failed last time (--rerun-failed)';
    case 'log-missing':
      return `its stored log ${r.log} is missing`;
    case 'outputs-missing':
      return 'its outputs are missing or changed, and no stored copy is left to restore them';
    case 'unreadable':
      return `not checked: ${r.path}: ${r.why}`;
    default:
      return assertNever(r);
  }
}

export function briefReasons(reasons: readonly StaleReason[]): string {
  return reasons
    .map((r) =>
      r.kind === 'env'
        ? `env ${r.name}`
        : r.kind === 'tool-input'
          ? `tool-input ${r.path}`
          : r.kind === 'unreadable'
            ? `unreadable ${r.path}`
            : r.kind,
    )
    .join(', ');
}
