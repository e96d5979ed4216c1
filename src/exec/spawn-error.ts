// Says why a job's program could not be started, in the words of the config
// (the variable, the argument), not Node's. The job never ran: what is said
// here is runner's fault line, never the job's recorded result.
import type { JobCommand } from './job-command.js';

/** The environment's largest variables, "NAME (N bytes)", biggest first: what to shrink after an E2BIG. */
function largestVariables(env: Record<string, string>, n = 2): string {
  return Object.entries(env)
    .map(([name, value]): [string, number] => [name, Buffer.byteLength(`${name}=${value}`)])
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, bytes]) => `${name} (${bytes} bytes)`)
    .join(', ');
}

export function describeSpawnError(err: Error, cmd: Pick<JobCommand, 'program' | 'args' | 'env'>): string {
  const code = (err as NodeJS.ErrnoException).code;
  const start = `cannot start ${cmd.program}`;
  switch (code) {
    case 'E2BIG': {
      const total =
        [cmd.program, ...cmd.args].reduce((sum, a) => sum + Buffer.byteLength(a) + 1, 0) +
        Object.entries(cmd.env).reduce((sum, [k, v]) => sum + Buffer.byteLength(`${k}=${v}`) + 1, 0);
      return (
        `${start}: its arguments and environment (${total} bytes) are more than Linux passes to a program (E2BIG); ` +
        `the largest variables: ${largestVariables(cmd.env) || '(none)'}`
      );
    }
    case 'ERR_INVALID_ARG_VALUE':
      // Node refuses a NUL byte in an argument or a variable before the kernel sees it.
      return `${start}: an argument or variable holds a NUL byte (${err.message.split('.')[0]})`;
    case 'EACCES':
      return `${start}: not executable (EACCES)`;
    case 'ENOENT':
      return `${start}: not found, or its interpreter (the #! line) is missing (ENOENT)`;
    default:
      return `${start}: ${err.message}`;
  }
}
