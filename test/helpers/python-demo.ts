// What the python-demo fixture holds, so tests can state exact job sets.
export const PY_FILES = [
  'calc/__init__.py',
  'calc/ops.py',
  'calc/stats.py',
  'tests/test_ops.py',
  'tests/test_stats.py',
  'tools/linelen.py',
];
export const STYLE_FILES = PY_FILES.filter((f) => !f.startsWith('tools/'));
export const TEST_FILES = ['tests/test_ops.py', 'tests/test_stats.py'];

/** "tool file" keys of the committed config's 13 jobs. */
export const FIXTURE_JOBS = [
  ...PY_FILES.map((f) => `syntax ${f}`),
  ...STYLE_FILES.map((f) => `style ${f}`),
  ...TEST_FILES.map((f) => `test ${f}`),
].sort();

/** The committed jobs plus the probe on every file (19). */
export const PROBED_JOBS = [...FIXTURE_JOBS, ...PY_FILES.map((f) => `probe ${f}`)].sort();

export function keysFor(file: string, tools: string[]): string[] {
  return tools.map((t) => `${t} ${file}`).sort();
}
