// Reads a JUnit report the way a CI system would: checked first against the
// schema Jenkins reads JUnit by (fixtures/junit-schema/junit.xsd, with
// xmllint from libxml2-utils), then with a strict XML parser (python3's expat,
// through xml.etree), which refuses anything not well-formed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { FIXTURES } from './sandbox.js';

/** The JUnit schema the reports must validate against. */
export const JUNIT_XSD = path.join(FIXTURES, 'junit-schema', 'junit.xsd');

export interface JunitCase {
  name: string;
  classname: string;
  time: number;
  /** The `key: value` lines of its <system-out>: what runner says of the job beyond its outcome. */
  details: Record<string, string>;
  /** The <failure>, <error> or <skipped> child, if any. */
  outcome: { tag: 'failure' | 'error' | 'skipped'; message: string; type: string | null; text: string } | null;
}
export interface JunitSuite {
  name: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: number;
  cases: JunitCase[];
}
export interface JunitDoc {
  root: { tag: string; tests: number; failures: number; errors: number; skipped: number };
  suites: JunitSuite[];
}

const PARSE = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
def n(e, k): return float(e.get(k)) if '.' in e.get(k) else int(e.get(k))
def case(c):
    out = None
    for tag in ('failure', 'error', 'skipped'):
        x = c.find(tag)
        if x is not None: out = {'tag': tag, 'message': x.get('message'), 'type': x.get('type'), 'text': x.text or ''}
    so = c.find('system-out')
    lines = [] if so is None else (so.text or '').splitlines()
    details = dict(l.split(': ', 1) for l in lines if ': ' in l)
    return {'name': c.get('name'), 'classname': c.get('classname'), 'time': float(c.get('time')), 'details': details, 'outcome': out}
suites = [{'name': s.get('name'), **{k: n(s, k) for k in ('tests', 'failures', 'errors', 'skipped', 'time')},
           'cases': [case(c) for c in s.findall('testcase')]} for s in root.findall('testsuite')]
# The schema has no skipped on the root: a CI system adds up the suites'.
total = {'tests': n(root, 'tests'), 'failures': n(root, 'failures'), 'errors': n(root, 'errors'), 'skipped': sum(s['skipped'] for s in suites)}
print(json.dumps({'root': {'tag': root.tag, **total}, 'suites': suites}))
`;

/** Checks the report against the JUnit schema; throws with xmllint's messages when it does not validate. */
export function validateJunit(file: string): void {
  const res = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' });
  if (res.error !== undefined)
    throw new Error(`xmllint cannot run (Debian: apt-get install libxml2-utils): ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${file} does not validate against ${JUNIT_XSD}:\n${res.stderr}`);
}

/** Validates, then parses the report; throws with xmllint's or the parser's message. */
export function parseJunit(file: string): JunitDoc {
  validateJunit(file);
  const res = spawnSync('python3', ['-c', PARSE, file], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${file} does not parse as XML:\n${res.stderr}`);
  return JSON.parse(res.stdout) as JunitDoc;
}

/** Every testcase, as "classname name". */
export function caseKeys(doc: JunitDoc): string[] {
  return doc.suites.flatMap((s) => s.cases.map((c) => `${c.classname} ${c.name}`)).sort();
}
