// Issue 16: each request to the remote cache has a deadline: a server that
// accepts and never answers is an error once it passes, never a hung run.
import { getEventListeners } from 'node:events';
import http from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { httpArtifactStore } from '../../../src/cache/index.js';

/** A server on 127.0.0.1 with `handler`, closed when the test ends; its port. */
async function listen(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as { port: number }).port;
}

describe('issue 16: the remote cache client', () => {
  it('gives up on a server that never answers, at the deadline', async () => {
    const port = await listen(() => {
      // Never answers.
    });
    const store = httpArtifactStore(
      { url: `http://127.0.0.1:${port}`, team: 't', token: null },
      { timeoutMs: 200, sockets: 2 },
    );
    onTestFinished(() => store.close());
    expect(await store.get('h')).toEqual({ kind: 'error', message: 'no answer within 0.2 s' });
    expect(await store.put('h', Buffer.from('x'), 1, null)).toEqual({
      kind: 'error',
      message: 'no answer within 0.2 s',
    });
  });

  it('issue 16: drops an answer longer than its limit unread, said or streamed', async () => {
    const port = await listen((req, res) => {
      if (req.url?.includes('said') === true) {
        res.writeHead(200, { 'content-length': 1000 });
        res.write(Buffer.alloc(10));
        return; // never ends: only the length it announced can end the request
      }
      res.writeHead(200);
      res.end(Buffer.alloc(1000));
    });
    const store = httpArtifactStore(
      { url: `http://127.0.0.1:${port}`, team: 't', token: null },
      { timeoutMs: 5000, sockets: 2, maxBodyBytes: 100 },
    );
    onTestFinished(() => store.close());
    const over = { kind: 'error', message: 'an answer over 100 bytes' };
    expect(await store.get('said')).toEqual(over);
    expect(await store.get('streamed')).toEqual(over);
  });

  it('issue 16: ends every request in flight at once when the run is interrupted, listening once to its signal', async () => {
    let arrived = 0;
    const port = await listen(() => {
      arrived++; // never answers
    });
    const store = httpArtifactStore(
      { url: `http://127.0.0.1:${port}`, team: 't', token: null },
      { timeoutMs: 60_000, sockets: 16 },
    );
    onTestFinished(() => store.close());
    const run = new AbortController();
    const lookups = Array.from({ length: 16 }, (_, i) => store.get(`h${i}`, run.signal));
    await waitUntil(() => arrived === 16);
    // One listener for the whole run: one per request passed Node's 10 (a MaxListenersExceededWarning on stderr).
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    run.abort();
    const answers = await Promise.all(lookups);
    expect(answers).toEqual(Array.from({ length: 16 }, () => ({ kind: 'error', message: 'ABORT_ERR' })));
    // A lookup asked after the interrupt sends nothing.
    expect(await store.get('late', run.signal)).toEqual({ kind: 'error', message: 'ABORT_ERR' });
    expect(arrived).toBe(16);
  });

  it('says a refused connection is one', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const store = httpArtifactStore(
      { url: `http://127.0.0.1:${port}`, team: 't', token: null },
      { timeoutMs: 5000, sockets: 2 },
    );
    onTestFinished(() => store.close());
    expect(await store.get('h')).toEqual({ kind: 'error', message: 'ECONNREFUSED' });
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}
