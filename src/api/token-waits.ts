// Tells the run's events how long the build waits for each token (--trace
// draws the waits): wraps the pool the build loop asks, and decides nothing.
// The loop asks for one token at a time, so the waits never overlap.
import type { TokenPool } from '../jobserver/index.js';
import type { EventSink } from './events.js';

export function announcingWaits(pool: TokenPool, events: EventSink): TokenPool {
  return {
    capacity: pool.capacity,
    acquire: async (signal) => {
      events.emit({ type: 'token-wait-started' });
      let token;
      try {
        token = await pool.acquire(signal);
      } catch (err) {
        events.emit({ type: 'token-wait-finished', got: false });
        throw err;
      }
      // A sink that throws must not keep the token: the build never saw it.
      try {
        events.emit({ type: 'token-wait-finished', got: true });
      } catch (err) {
        token.release();
        throw err;
      }
      return token;
    },
  };
}
