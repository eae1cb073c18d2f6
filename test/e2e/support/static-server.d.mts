/** Types of static-server.mjs (plain JS so that scripts/test-e2e.mjs can run it without tsx). */
export interface StaticServerOptions {
  /** Directory to serve. */
  root: string;
  /** URL path it is served under, starting and ending with "/" (default "/"). */
  mount?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Extra headers on every response (e.g. a Content-Security-Policy). */
  headers?: Record<string, string>;
}

export interface ServedRequest {
  method: string;
  path: string;
  status: number;
}

export interface StaticServer {
  /** "http://127.0.0.1:<port>" */
  origin: string;
  /** origin + mount: where index.html is. */
  url: string;
  /** Every request so far, in order; status 0 for those dropped while down. */
  requests: ServedRequest[];
  /** While down, every request is recorded and its connection dropped unanswered. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export function startStaticServer(opts: StaticServerOptions): Promise<StaticServer>;
