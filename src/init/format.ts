// The text of a starter config: one top-level key a line and one tool a line,
// as the README writes configs, so the file reads as a list of tools.

export function formatStarter(config: Record<string, unknown>): string {
  const lines = Object.entries(config).map(([key, value]) => {
    if (key === 'tools' && Array.isArray(value)) {
      return `  "tools": [\n${value.map((t) => `    ${inline(t)}`).join(',\n')}\n  ]`;
    }
    return `  ${JSON.stringify(key)}: ${inline(value)}`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}

/** JSON on one line, with a space after each colon and comma. */
function inline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(v);
}
