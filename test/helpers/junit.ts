// Reads a JUnit report the way a CI system would: with a strict XML parser
// (python3's expat, through xml.etree), which refuses anything not well-formed.
import { spawnSync } from 'node:child_process';

export interface JunitCase {
  name: string;
  classname: string;
  time: number;
  properties: Record<string, string>;
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
    props = {p.get('name'): p.get('value') for p in c.findall('properties/property')}
    return {'name': c.get('name'), 'classname': c.get('classname'), 'time': float(c.get('time')), 'properties': props, 'outcome': out}
suites = [{'name': s.get('name'), **{k: n(s, k) for k in ('tests', 'failures', 'errors', 'skipped', 'time')},
           'cases': [case(c) for c in s.findall('testcase')]} for s in root.findall('testsuite')]
print(json.dumps({'root': {'tag': root.tag, **{k: n(root, k) for k in ('tests', 'failures', 'errors', 'skipped')}}, 'suites': suites}))
`;

/** Parses the report; throws with the parser's message when it is not well-formed XML. */
export function parseJunit(file: string): JunitDoc {
  const res = spawnSync('python3', ['-c', PARSE, file], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${file} does not parse as XML:\n${res.stderr}`);
  return JSON.parse(res.stdout) as JunitDoc;
}

/** Every testcase, as "classname name". */
export function caseKeys(doc: JunitDoc): string[] {
  return doc.suites.flatMap((s) => s.cases.map((c) => `${c.classname} ${c.name}`)).sort();
}
