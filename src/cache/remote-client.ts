// Speaks the Turborepo Remote Cache API (vercel/turborepo, "Remote Cache API":
// GET/PUT /v8/artifacts/:hash, HEAD to ask without the body) over keep-alive
// connections, one request per call, each with a deadline. Decides nothing:
// it turns each answer into a tagged outcome for remote-cache.ts.
import fs from 'node:fs';
import type http from 'node:http';
import { createRequire } from 'node:module';
import type { RemoteSettings } from './remote-settings.js';

/** What a lookup (GET) answered: 200 an artifact, 404 none, 401/403 the token refused, anything else an error. */
export type Lookup =
  | { kind: 'hit'; body: Buffer; tag: string | null }
  | { kind: 'miss' }
  | { kind: 'refused'; status: number }
  | { kind: 'error'; message: string };

/** What an upload (PUT) answered: any 2xx stored, 401/403 refused, anything else an error. */
export type Upload = { kind: 'stored' } | { kind: 'refused'; status: number } | { kind: 'error'; message: string };

export interface ArtifactStore {
  /** `signal` aborted: the request is dropped at once (an error), so an interrupted run never waits on the server. */
  get(hash: string, signal?: AbortSignal): Promise<Lookup>;
  put(hash: string, body: Buffer, durationMs: number, tag: string | null): Promise<Upload>;
  /** Lets the idle connections go, so the process can exit. */
  close(): void;
}

/**
 * The certificates NODE_EXTRA_CA_CERTS names, when bin/runner started this process without them (it does, for
 * speed): Node's own roots and these, as Node would have trusted. A file that cannot be read adds none, as
 * Node warns and goes on; the server's certificate is then refused as it would be without the variable.
 */
function extraCa(): { ca?: string[] } {
  const file = (globalThis as Record<symbol, unknown>)[Symbol.for('runner.extraCaCerts')];
  if (typeof file !== 'string' || file === '') return {};
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'latin1');
  } catch {
    return {};
  }
  const tls = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');
  return { ca: [...tls.rootCertificates, pem] };
}

/** What an aborted request fails with, as Node's own `signal` option would make it (err.code 'ABORT_ERR'). */
const abortError = (): Error =>
  Object.assign(new Error('The operation was aborted'), { code: 'ABORT_ERR', name: 'AbortError' });

/** A response read whole: status, headers, body. */
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function httpArtifactStore(
  settings: Pick<RemoteSettings, 'url' | 'team' | 'token'>,
  /** `maxBodyBytes`: a lookup's answer longer than this is dropped unread (an error), never held whole. */
  opts: { timeoutMs: number; sockets: number; maxBodyBytes?: number },
): ArtifactStore {
  const base = new URL(settings.url);
  const isHttps = base.protocol === 'https:';
  // Loaded here, not with the module: a run without a remote cache never loads http, https and tls (the bundle
  // would load every builtin a module imports at start, scripts/bundle.mjs).
  const transport = createRequire(import.meta.url)(isHttps ? 'node:https' : 'node:http') as typeof http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: opts.sockets, ...(isHttps ? extraCa() : {}) });
  // Turborepo names a team by id (teamId=team_…) or by slug (slug=…); servers take either (same API description).
  const query = settings.team.startsWith('team_')
    ? `teamId=${encodeURIComponent(settings.team)}`
    : `slug=${encodeURIComponent(settings.team)}`;
  const prefix = base.pathname.replace(/\/+$/, '');
  const auth: Record<string, string> =
    settings.token === null ? {} : { authorization: `Bearer ${settings.token.reveal()}` };

  // One abort listener per signal, not one per request: a request given the signal itself adds a listener
  // of its own, and a run's 16 lookups at once pass Node's 10 (a MaxListenersExceededWarning on stderr).
  const inFlight = new Map<AbortSignal, Set<http.ClientRequest>>();
  const watch = (signal: AbortSignal, req: http.ClientRequest): void => {
    let reqs = inFlight.get(signal);
    if (reqs === undefined) {
      const set = (reqs = new Set());
      inFlight.set(signal, set);
      signal.addEventListener(
        'abort',
        () => {
          for (const r of set) r.destroy(abortError());
        },
        { once: true },
      );
    }
    reqs.add(req);
    req.on('close', () => reqs.delete(req));
  };

  // One timer for every request in flight, not a timer each (set and cleared 10,000 times on a cold clone):
  // a sweep every tenth of the deadline ends the requests past it, so each gets between 1 and 1.1 times it.
  // All share one deadline, so the map's order (insertion) is the order they expire in.
  const deadlines = new Map<http.ClientRequest, number>();
  const tickMs = Math.max(10, opts.timeoutMs / 10);
  let ticker: NodeJS.Timeout | null = null;
  const sweep = (): void => {
    const now = performance.now();
    for (const [req, at] of deadlines) {
      if (at > now) break;
      deadlines.delete(req);
      req.destroy(new Error(`no answer within ${opts.timeoutMs / 1000} s`));
    }
    if (deadlines.size === 0 && ticker !== null) {
      clearInterval(ticker);
      ticker = null;
    }
  };

  const send = (
    method: 'GET' | 'PUT',
    hash: string,
    headers: Record<string, string | number>,
    body?: Buffer,
    signal?: AbortSignal,
  ) =>
    new Promise<Answer>((resolve, reject) => {
      if (signal?.aborted === true) return reject(abortError());
      const req = transport.request(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          method,
          path: `${prefix}/v8/artifacts/${encodeURIComponent(hash)}?${query}`,
          agent,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let length = 0;
          let over = false;
          const tooLong = (): void => {
            over = true;
            reject(new Error(`an answer over ${opts.maxBodyBytes} bytes`));
            req.destroy();
          };
          if (opts.maxBodyBytes !== undefined && Number(res.headers['content-length'] ?? 0) > opts.maxBodyBytes)
            return tooLong();
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            length += c.length;
            if (!over && opts.maxBodyBytes !== undefined && length > opts.maxBodyBytes) tooLong();
          });
          res.on('end', () => {
            // A small artifact comes in one chunk: taken as it is, not copied.
            if (!over)
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length),
              });
          });
          res.on('error', reject);
        },
      );
      if (signal !== undefined) watch(signal, req);
      // One deadline for the whole exchange: a server that accepts and then stalls is as down as one that refuses.
      deadlines.set(req, performance.now() + opts.timeoutMs);
      ticker ??= setInterval(sweep, tickMs).unref();
      req.on('close', () => deadlines.delete(req));
      req.on('error', reject);
      req.end(body);
    });

  const failure = (err: unknown): { kind: 'error'; message: string } => ({
    kind: 'error',
    message: (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err)),
  });

  return {
    async get(hash, signal) {
      try {
        const a = await send('GET', hash, auth, undefined, signal);
        if (a.status === 200) {
          const tag = a.headers['x-artifact-tag'];
          return { kind: 'hit', body: a.body, tag: typeof tag === 'string' ? tag : null };
        }
        if (a.status === 404) return { kind: 'miss' };
        if (a.status === 401 || a.status === 403) return { kind: 'refused', status: a.status };
        return { kind: 'error', message: `HTTP ${a.status}` };
      } catch (err) {
        return failure(err);
      }
    },
    async put(hash, body, durationMs, tag) {
      try {
        const a = await send(
          'PUT',
          hash,
          {
            ...auth,
            'content-type': 'application/octet-stream',
            'content-length': body.length,
            // The API's time saved by a hit, in milliseconds (Turborepo shows it; runner's explain has its own).
            'x-artifact-duration': Math.round(durationMs),
            ...(tag === null ? {} : { 'x-artifact-tag': tag }),
          },
          body,
        );
        if (a.status >= 200 && a.status < 300) return { kind: 'stored' };
        if (a.status === 401 || a.status === 403) return { kind: 'refused', status: a.status };
        return { kind: 'error', message: `HTTP ${a.status}` };
      } catch (err) {
        return failure(err);
      }
    },
    close: () => {
      inFlight.clear();
      if (ticker !== null) clearInterval(ticker);
      ticker = null;
      agent.destroy();
    },
  };
}
