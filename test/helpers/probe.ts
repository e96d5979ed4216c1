// The probe tool (slow-tool.mjs) as a config entry, and readers for what it recorded.
import fs from 'node:fs';
import path from 'node:path';
import { REPO, type ConfigDef, type Sandbox, type ToolDef, readConfig, writeConfig } from './sandbox.js';

export const PROBE_SCRIPT = path.join(REPO, 'test', 'helpers', 'slow-tool.mjs');

export function probeTool(extra: Partial<ToolDef> = {}): ToolDef {
  return { name: 'probe', command: ['node', PROBE_SCRIPT, '{file}'], ...extra };
}

/** The fixture's own config plus a `probe` tool on every tracked file; PROBE_DIR is the sandbox scratch dir. */
export function addProbe(sb: Sandbox, extra: Partial<ToolDef> = {}): ConfigDef {
  const config = readConfig(sb);
  config.env = { ...(config.env ?? {}), PROBE_DIR: sb.scratch };
  config.tools.push(probeTool(extra));
  writeConfig(sb, config);
  return config;
}

/** The fixture's config with the probe as its only tool. */
export function probeOnly(sb: Sandbox, extra: Partial<ToolDef> = {}, top: Record<string, unknown> = {}): ConfigDef {
  const config = readConfig(sb);
  config.env = { ...(config.env ?? {}), PROBE_DIR: sb.scratch };
  config.tools = [probeTool(extra)];
  Object.assign(config, top);
  writeConfig(sb, config);
  return config;
}

export interface ProbeLog {
  /** Files in the order their jobs started. */
  started: string[];
  /** Files whose jobs ran to the end, in order. */
  finished: string[];
  /** File -> pid of its (last) job process. */
  pids: Map<string, number>;
}

export function readProbeLog(sb: Sandbox): ProbeLog {
  let text = '';
  try {
    text = fs.readFileSync(path.join(sb.scratch, 'probe.log'), 'utf8');
  } catch {
    // no job ran yet
  }
  const log: ProbeLog = { started: [], finished: [], pids: new Map() };
  for (const line of text.split('\n')) {
    const [event, file, extra] = line.split(' ');
    if (event === 'start' && file) {
      log.started.push(file);
      log.pids.set(file, Number(extra));
    } else if (event === 'end' && file) {
      log.finished.push(file);
    }
  }
  return log;
}

export function resetProbeLog(sb: Sandbox): void {
  fs.rmSync(path.join(sb.scratch, 'probe.log'), { force: true });
}

export function setProbeControl(sb: Sandbox, name: 'sleep-ms' | 'hang-after' | 'fail', value: string | null): void {
  const file = path.join(sb.scratch, name);
  if (value === null) fs.rmSync(file, { force: true });
  else fs.writeFileSync(file, value + '\n');
}

/** The environment the probe job on `file` saw. */
export function probeEnvOf(sb: Sandbox, file: string): Record<string, string> {
  return JSON.parse(
    fs.readFileSync(path.join(sb.scratch, 'env', file.replaceAll('/', '__') + '.json'), 'utf8'),
  ) as Record<string, string>;
}

/** The limit probe (limit-probe.mjs): one process per line pair, for per-tool limits (issue 14). */
export const LIMIT_PROBE_SCRIPT = path.join(REPO, 'test', 'helpers', 'limit-probe.mjs');

export interface ProcessLine {
  what: 'start' | 'end';
  tool: string;
  pid: number;
}

/** The limit probe's log, in the order its lines were appended. */
export function readProcessLog(sb: Sandbox): ProcessLine[] {
  const file = path.join(sb.scratch, 'processes.log');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [what, tool, pid] = l.split(' ');
      return { what: what as 'start' | 'end', tool: tool!, pid: Number(pid) };
    });
}

/**
 * The most processes (of `tools`, or of every tool) alive at once, read from
 * the log's order: each line is written while its process is alive, so a
 * start between another's start and end means both were.
 */
export function peakAlive(lines: readonly ProcessLine[], tools?: readonly string[]): number {
  let alive = 0;
  let peak = 0;
  for (const l of lines) {
    if (tools !== undefined && !tools.includes(l.tool)) continue;
    alive += l.what === 'start' ? 1 : -1;
    peak = Math.max(peak, alive);
  }
  return peak;
}
