/**
 * Customer tokens for the frame's SDK client. The storefront hands one over
 * with `identify`; tokens are single-use, so when the client needs another
 * (its refresh token expired) the frame asks the launcher with
 * `token-request` and waits for the `token` answer.
 */
const WAIT_MS = 15_000;

export class TokenSource {
  #fresh: string | undefined;
  #waiting: Array<(token: string) => void> = [];
  readonly #ask: () => void;

  constructor(ask: () => void) {
    this.#ask = ask;
  }

  /** Whether a storefront identity was given. */
  get identified(): boolean {
    return this.#identified;
  }
  #identified = false;

  /** A token from `identify` or `token`. */
  put(token: string): void {
    this.#identified = true;
    const waiter = this.#waiting.shift();
    if (waiter) waiter(token);
    else this.#fresh = token;
  }

  forget(): void {
    this.#identified = false;
    this.#fresh = undefined;
  }

  /** The SDK's `getToken`: the unused token, or a new one asked from the storefront. */
  get = (): Promise<string> => {
    const token = this.#fresh;
    this.#fresh = undefined;
    if (token) return Promise.resolve(token);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = this.#waiting.filter((w) => w !== take);
        reject(new Error("the storefront sent no customer token"));
      }, WAIT_MS);
      const take = (t: string) => {
        clearTimeout(timer);
        resolve(t);
      };
      this.#waiting.push(take);
      this.#ask();
    });
  };
}
