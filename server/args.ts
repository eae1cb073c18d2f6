/**
 * Command line of the unit server:
 *
 *   npx tsx server/unit-server.ts --units 2 --port 8787 [--host 127.0.0.1] [--state-dir DIR]
 *                                 [--token TOKEN | --token-file FILE] [--allow-origin ORIGIN]…
 *
 *   | option         | default     | meaning                                                        |
 *   |----------------|-------------|----------------------------------------------------------------|
 *   | --units N      | 2           | how many simulated units (1–16), ids unit-1 … unit-N           |
 *   | --port P       | 8787        | TCP port (0: any free port, printed at start)                  |
 *   | --host H       | 127.0.0.1   | address to listen on                                           |
 *   | --state-dir D  | none        | keep the host and units in D (restored at start)               |
 *   | --token T      | none        | require `Authorization: Bearer T` (≥ 16 characters)            |
 *   | --token-file F | none        | the same, the token read from F (not visible in process lists) |
 *   | --allow-origin | none        | a browser origin allowed by CORS (repeat for more)             |
 *   | --help         |             | print the usage                                                |
 */
import { readFileSync } from 'node:fs';
import { normalizeOrigin, UnitOriginError } from '../src/security/origins.ts';
import { BEARER_TOKEN_PATTERN, MAX_TOKEN_LENGTH, MIN_HOST_TOKEN_LENGTH } from '../src/cryptounit/transports/http-protocol.ts';

export const MAX_UNITS = 16;
export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';

export interface ServerArgs {
  units: number;
  port: number;
  host: string;
  stateDir?: string;
  token?: string;
  allowOrigins: string[];
  help: boolean;
}

export const USAGE = `Usage: npx tsx server/unit-server.ts [options]

Serves simulated crypto units over HTTP (POST /units/<id>, GET /units).

  --units N          number of simulated units, 1-${MAX_UNITS} (default 2)
  --port P           TCP port, 0 for any free port (default ${DEFAULT_PORT})
  --host H           listen address (default ${DEFAULT_HOST}; anything else: put TLS in front)
  --state-dir DIR    keep the host root and the units' state in DIR (0700), restored at start
  --token T          require "Authorization: Bearer T" (at least ${MIN_HOST_TOKEN_LENGTH} characters)
  --token-file F     the same, reading the token from file F (keeps it out of process lists)
  --allow-origin O   let the webtke app at origin O call the units (CORS); repeat for more
  --help             this text
`;

export class ArgsError extends Error {
  override name = 'ArgsError';
}

function int(name: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new ArgsError(`${name} needs a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw new ArgsError(`${name} must be ${min}–${max}`);
  return n;
}

export function checkHostToken(token: string, source: string): string {
  if (token.length < MIN_HOST_TOKEN_LENGTH) throw new ArgsError(`${source}: the token must have at least ${MIN_HOST_TOKEN_LENGTH} characters`);
  if (token.length > MAX_TOKEN_LENGTH) throw new ArgsError(`${source}: the token may have at most ${MAX_TOKEN_LENGTH} characters`);
  if (!BEARER_TOKEN_PATTERN.test(token)) throw new ArgsError(`${source}: a bearer token has only letters, digits and - . _ ~ + / (and = at the end)`);
  return token;
}

export function parseArgs(argv: readonly string[], readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): ServerArgs {
  const out: ServerArgs = { units: 2, port: DEFAULT_PORT, host: DEFAULT_HOST, allowOrigins: [], help: false };
  let tokenGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ArgsError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--units':
        out.units = int(name, value(), 1, MAX_UNITS);
        break;
      case '--port':
        out.port = int(name, value(), 0, 65535);
        break;
      case '--host':
        out.host = value();
        break;
      case '--state-dir':
        out.stateDir = value();
        break;
      case '--token':
      case '--token-file': {
        if (tokenGiven) throw new ArgsError('give one of --token and --token-file, once');
        tokenGiven = true;
        const v = value();
        out.token = name === '--token' ? checkHostToken(v, '--token') : checkHostToken(readFile(v).replace(/\r?\n$/, ''), `--token-file ${v}`);
        break;
      }
      case '--allow-origin': {
        const v = value();
        try {
          const o = normalizeOrigin(v);
          if (!out.allowOrigins.includes(o)) out.allowOrigins.push(o);
        } catch (e) {
          if (e instanceof UnitOriginError) throw new ArgsError(`--allow-origin ${e.message}`);
          throw e;
        }
        break;
      }
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        throw new ArgsError(`unknown option ${a}`);
    }
  }
  return out;
}
