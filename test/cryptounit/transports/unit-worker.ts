/**
 * Worker entry for worker.browser.test.ts: a simulated instance of two units under one host,
 * served as 'unit-a' and 'unit-b'. Registration is synchronous at the top of the module (the
 * handlers await the units' creation), so no request arrives before anyone listens.
 *
 * Test hooks (plain string messages, not part of the unit protocol):
 *   'crash' → throw from a message handler: an uncaught error, seen by the app as 'error'.
 */
import { serveUnit } from '../../../src/cryptounit/transports/worker-host.ts';
import type { MessagePortLike } from '../../../src/cryptounit/transports/worker-protocol.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../../src/cryptounit/simulated/index.ts';

const scope = self as unknown as MessagePortLike;
const c = (self as unknown as { crypto: Crypto }).crypto;

const units = (async () => {
  const host = await SimulatedHost.create({ crypto: c });
  return { a: await SimulatedCryptoUnit.create({ host, crypto: c }), b: await SimulatedCryptoUnit.create({ host, crypto: c }) };
})();

serveUnit(scope, async (r) => (await units).a.handle(r), 'unit-a');
serveUnit(scope, async (r) => (await units).b.handle(r), 'unit-b');

scope.addEventListener('message', (ev) => {
  if ((ev as MessageEvent).data === 'crash') throw new Error('crash on purpose');
});
