/**
 * The messages between the app and a worker that runs crypto units (a simulated instance of
 * 1–3 units in one worker, each addressed by a unit id). Bytes travel as transferable
 * ArrayBuffers; every request carries an id that its answer repeats.
 *
 *   | direction  | type       | fields                                   | meaning                                  |
 *   |------------|------------|------------------------------------------|------------------------------------------|
 *   | app → unit | 'request'  | id, unit, request: ArrayBuffer           | one DER AdminRequest for unit `unit`     |
 *   | app → unit | 'ping'     | id                                       | is the worker alive; which units it serves |
 *   | unit → app | 'response' | id, unit, response: ArrayBuffer          | the unit's DER AdminResponse             |
 *   | unit → app | 'failure'  | id, unit, failure, message               | no response: unknown unit, unit threw    |
 *   | unit → app | 'pong'     | id, units: string[]                      | answer to ping                           |
 *
 * Every message has `webtke: 'unit/1'`, so other traffic on the same port is left alone.
 */

export const UNIT_PROTOCOL_TAG = 'unit/1';
/** The unit id used when a worker serves a single unit and nobody names it. */
export const DEFAULT_UNIT_ID = 'default';
/** Largest request or response the worker protocol carries (a unit takes at most 1 MiB). */
export const MAX_UNIT_MESSAGE_BYTES = 4 << 20;

/**
 * What both sides need of a port: a MessagePort, a Worker (app side), the worker's own global
 * scope (worker side), or a Node MessagePort from `new MessageChannel()`.
 */
export interface MessagePortLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: string, listener: (ev: Event) => void): void;
  removeEventListener(type: string, listener: (ev: Event) => void): void;
  /** MessagePort needs start() when listened to with addEventListener; Worker has none. */
  start?(): void;
}

export type WorkerFailure = 'unknown-unit' | 'unit-failed' | 'bad-message';

export type ToUnitMessage =
  | { webtke: typeof UNIT_PROTOCOL_TAG; type: 'request'; id: number; unit: string; request: ArrayBuffer }
  | { webtke: typeof UNIT_PROTOCOL_TAG; type: 'ping'; id: number };

export type FromUnitMessage =
  | { webtke: typeof UNIT_PROTOCOL_TAG; type: 'response'; id: number; unit: string; response: ArrayBuffer }
  | { webtke: typeof UNIT_PROTOCOL_TAG; type: 'failure'; id: number; unit: string; failure: WorkerFailure; message: string }
  | { webtke: typeof UNIT_PROTOCOL_TAG; type: 'pong'; id: number; units: string[] };

type Rec = Record<string, unknown>;

function base(data: unknown): Rec | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const m = data as Rec;
  if (m.webtke !== UNIT_PROTOCOL_TAG) return undefined;
  return m;
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isUnitId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 128;
const isBuffer = (v: unknown): v is ArrayBuffer =>
  v instanceof ArrayBuffer && v.byteLength <= MAX_UNIT_MESSAGE_BYTES;

/** Whether a message carries our tag at all (others are not ours to judge). */
export const isUnitProtocolMessage = (data: unknown): boolean => base(data) !== undefined;

/** The message id of a tagged message, if it has a usable one (for answering bad requests). */
export function messageId(data: unknown): number | undefined {
  const m = base(data);
  return m && isId(m.id) ? m.id : undefined;
}

/** A well-formed message to the unit side, or undefined. */
export function parseToUnit(data: unknown): ToUnitMessage | undefined {
  const m = base(data);
  if (!m || !isId(m.id)) return undefined;
  if (m.type === 'ping') return { webtke: UNIT_PROTOCOL_TAG, type: 'ping', id: m.id };
  if (m.type === 'request' && isUnitId(m.unit) && isBuffer(m.request)) {
    return { webtke: UNIT_PROTOCOL_TAG, type: 'request', id: m.id, unit: m.unit, request: m.request };
  }
  return undefined;
}

const FAILURES: readonly WorkerFailure[] = ['unknown-unit', 'unit-failed', 'bad-message'];

/** A well-formed message from the unit side, or undefined. */
export function parseFromUnit(data: unknown): FromUnitMessage | undefined {
  const m = base(data);
  if (!m || !isId(m.id)) return undefined;
  switch (m.type) {
    case 'response':
      if (isUnitId(m.unit) && isBuffer(m.response)) {
        return { webtke: UNIT_PROTOCOL_TAG, type: 'response', id: m.id, unit: m.unit, response: m.response };
      }
      return undefined;
    case 'failure':
      if (isUnitId(m.unit) && FAILURES.includes(m.failure as WorkerFailure) && typeof m.message === 'string') {
        return {
          webtke: UNIT_PROTOCOL_TAG, type: 'failure', id: m.id, unit: m.unit, failure: m.failure as WorkerFailure,
          message: m.message.slice(0, 500),
        };
      }
      return undefined;
    case 'pong':
      if (Array.isArray(m.units) && m.units.length <= 64 && m.units.every(isUnitId)) {
        return { webtke: UNIT_PROTOCOL_TAG, type: 'pong', id: m.id, units: [...(m.units as string[])] };
      }
      return undefined;
    default:
      return undefined;
  }
}

/** A copy of `bytes` in its own ArrayBuffer, ready to be transferred. */
export function transferableCopy(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}
