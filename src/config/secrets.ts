// Spots passEnv names that look like secrets. A latched value is stored as an
// unsalted hash (a salt would stop results matching between clones), so a
// short secret can be recovered from a state directory; a secret that does
// not change results belongs in passThroughEnv. Pure: reads names only.

/** *TOKEN*, *SECRET*, *PASSWORD* anywhere in the name, or a name ending in _KEY (any case). */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|_KEY$/i;

export function secretLikeNames(passEnv: readonly string[]): string[] {
  return passEnv.filter((name) => SECRET_NAME.test(name));
}

/** The warning a run gives once, naming every such variable and the fix; null when there is none. */
export function secretWarning(displayFile: string, passEnv: readonly string[]): string | null {
  const names = secretLikeNames(passEnv);
  if (names.length === 0) return null;
  const list = names.join(', ');
  return (
    `${displayFile}: passEnv ${list} ${names.length === 1 ? 'looks like a secret' : 'look like secrets'}: ` +
    'runner latches each value as a hash kept in the state directory, and a short value can be recovered from it; ' +
    `if ${names.length === 1 ? 'it does' : 'they do'} not change results, move ${names.length === 1 ? 'it' : 'them'} to "passThroughEnv" ` +
    '(the tools still get the value, unlatched)'
  );
}
