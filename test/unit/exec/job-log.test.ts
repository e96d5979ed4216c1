// A job's log file exists only once the job wrote a byte (issue 17, point 4):
// the file a silent job would have cost is never made, or never left behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { JobLog } from '../../../src/exec/job-log.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-job-log-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('JobLog', () => {
  test('issue 17: a log made at the first byte is no file while the job is silent, and none when it stays so', () => {
    const file = path.join(dir, '1.log');
    const log = JobLog.atFirstByte(file);
    expect(fs.existsSync(file)).toBe(false);
    log.write('stdout', Buffer.alloc(0));
    expect(fs.existsSync(file)).toBe(false);
    expect(log.close()).toBeNull();
    expect(log.bytes).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('issue 17: a log made at the first byte holds every byte, in order, and its stream index', () => {
    const file = path.join(dir, '1.log');
    const log = JobLog.atFirstByte(file);
    log.write('stdout', Buffer.from('out\n'));
    expect(fs.existsSync(file)).toBe(true);
    log.write('stderr', Buffer.from('err\n'));
    expect(log.close()).toBeNull();
    expect(fs.readFileSync(file, 'utf8')).toBe('out\nerr\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['1.log', '1.log.streams']);
  });

  test('issue 17: a log opened before the job starts is removed at close when the job wrote nothing', () => {
    const file = path.join(dir, '1.log');
    const log = JobLog.open(file);
    expect(fs.existsSync(file)).toBe(true);
    expect(log.close()).toBeNull();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test("a log that cannot be made at the first byte is runner's fault, named, and the job's output is not counted", () => {
    const file = path.join(dir, 'missing', '1.log');
    const log = JobLog.atFirstByte(file);
    log.write('stdout', Buffer.from('out\n'));
    expect(log.fault).toMatch(/^cannot write the job's log \(/);
    expect(log.bytes).toBe(0);
    expect(log.close()).toBe(log.fault);
  });
});
