/**
 * The worker side of the unit worker protocol (worker-protocol.ts): serve one or more units on
 * a port. A worker entry that runs a simulated instance of three units does
 *
 *   serveUnit(self, (r) => unitA.handle(r), 'unit-a');
 *   serveUnit(self, (r) => unitB.handle(r), 'unit-b');
 *   serveUnit(self, (r) => unitC.handle(r), 'unit-c');
 *
 * Register synchronously at the top of the worker module (the handler may await the unit's
 * creation), so no request arrives before anyone listens.
 *
 * Each unit answers its requests one at a time, in the order they arrived, so its counter is
 * seen to rise in order. A handler that throws (a unit never should) is reported as a
 * 'unit-failed' failure instead of leaving the app waiting.
 */
import type { UnitHandler } from '../transport.ts';
import {
  DEFAULT_UNIT_ID, isUnitProtocolMessage, messageId, parseToUnit, transferableCopy, UNIT_PROTOCOL_TAG,
  type FromUnitMessage, type MessagePortLike, type WorkerFailure,
} from './worker-protocol.ts';

interface ServedUnit {
  handle: UnitHandler;
  /** settles when the unit's last request has been answered */
  tail: Promise<void>;
}

interface PortState {
  units: Map<string, ServedUnit>;
  listener: (ev: Event) => void;
}

const ports = new WeakMap<MessagePortLike, PortState>();

function post(port: MessagePortLike, m: FromUnitMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

function fail(port: MessagePortLike, id: number, unit: string, failure: WorkerFailure, message: string): void {
  post(port, { webtke: UNIT_PROTOCOL_TAG, type: 'failure', id, unit, failure, message });
}

function onMessage(port: MessagePortLike, state: PortState, data: unknown): void {
  if (!isUnitProtocolMessage(data)) return;
  const m = parseToUnit(data);
  if (!m) {
    const id = messageId(data);
    if (id !== undefined) fail(port, id, '?', 'bad-message', 'not a well-formed unit request');
    return;
  }
  if (m.type === 'ping') {
    post(port, { webtke: UNIT_PROTOCOL_TAG, type: 'pong', id: m.id, units: [...state.units.keys()] });
    return;
  }
  const unit = state.units.get(m.unit);
  if (!unit) {
    fail(port, m.id, m.unit, 'unknown-unit', `no unit "${m.unit}" is served here`);
    return;
  }
  const request = new Uint8Array(m.request);
  unit.tail = unit.tail.then(async () => {
    let response: Uint8Array;
    try {
      response = await unit.handle(request);
      if (!(response instanceof Uint8Array)) throw new TypeError('the unit answered with something other than bytes');
    } catch (e) {
      fail(port, m.id, m.unit, 'unit-failed', String((e as Error)?.message ?? e));
      return;
    }
    const out = transferableCopy(response);
    post(port, { webtke: UNIT_PROTOCOL_TAG, type: 'response', id: m.id, unit: m.unit, response: out }, [out]);
  });
}

/**
 * Serve `handle` as unit `unitId` on `port`. Returns a function that stops serving it (the
 * port's listener goes when its last unit does). Serving the same id twice is an error.
 */
export function serveUnit(port: MessagePortLike, handle: UnitHandler, unitId: string = DEFAULT_UNIT_ID): () => void {
  if (unitId.length === 0 || unitId.length > 128) throw new RangeError('a unit id has 1–128 characters');
  let state = ports.get(port);
  if (!state) {
    const s: PortState = { units: new Map(), listener: (ev) => onMessage(port, s, (ev as MessageEvent).data) };
    state = s;
    ports.set(port, s);
    port.addEventListener('message', s.listener);
    port.start?.();
  }
  if (state.units.has(unitId)) throw new Error(`unit "${unitId}" is already served on this port`);
  state.units.set(unitId, { handle, tail: Promise.resolve() });
  const s = state;
  return () => {
    if (!s.units.delete(unitId)) return;
    if (s.units.size === 0) {
      port.removeEventListener('message', s.listener);
      ports.delete(port);
    }
  };
}
