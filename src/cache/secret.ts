// A secret the remote cache sends (its bearer token) or signs with (its
// signature key): held in a value that prints as "(secret)" wherever it
// lands (a message, JSON, util.inspect), so no log or report can show it.
import util from 'node:util';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The value itself: only for the Authorization header and the HMAC. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '(secret)';
  }
  toJSON(): string {
    return '(secret)';
  }
  [util.inspect.custom](): string {
    return '(secret)';
  }
}
