// Issue 16: each request to the remote cache has a deadline: a server that
// accepts and never answers is an error once it passes, never a hung run.
import http from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { httpArtifactStore } from '../../../src/cache/index.js';

describe('issue 16: the remote cache client', () => {
  it('gives up on a server that never answers, at the deadline', async () => {
    const server = http.createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      server.closeAllConnections();
      server.close();
    });
    const port = (server.address() as { port: number }).port;
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
    const server = http.createServer((req, res) => {
      if (req.url?.includes('said') === true) {
        res.writeHead(200, { 'content-length': 1000 });
        res.write(Buffer.alloc(10));
        return; // never ends: only the length it announced can end the request
      }
      res.writeHead(200);
      res.end(Buffer.alloc(1000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      server.closeAllConnections();
      server.close();
    });
    const port = (server.address() as { port: number }).port;
    const store = httpArtifactStore(
      { url: `http://127.0.0.1:${port}`, team: 't', token: null },
      { timeoutMs: 5000, sockets: 2, maxBodyBytes: 100 },
    );
    onTestFinished(() => store.close());
    const over = { kind: 'error', message: 'an answer over 100 bytes' };
    expect(await store.get('said')).toEqual(over);
    expect(await store.get('streamed')).toEqual(over);
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
