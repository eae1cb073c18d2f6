/**
 * Errors in words: a unit's rc/reason shows its plain-language message and remedy (the words
 * of DESIGN §3.9, written out here), with the numbers only as a code for support; failed steps
 * show their cause; card PIN errors show the tries left and what unblocks a blocked PIN.
 */
import { describe, it, afterEach, assert } from '../harness.ts';
import { StepFailedError, UnitsUnreachableError, type NextAction } from '../../src/ceremony/index.ts';
import { UnitError } from '../../src/cryptounit/client.ts';
import { Command } from '../../src/cryptounit/protocol/index.ts';
import { UnitTransportError } from '../../src/cryptounit/transport.ts';
import { WrongSecretError } from '../../src/custodian/index.ts';
import { PivPinBlockedError } from '../../src/custodian/piv/errors.ts';
import { WrongPasswordError } from '../../src/custodian/soft/index.ts';
import { ErrorView } from '../../src/ui/components/error-view.ts';
import { mount, text, unmountAll } from './helpers.ts';

async function show(error: unknown): Promise<{ root: ShadowRoot; all: string; first: string }> {
  const el = await mount(new ErrorView(), (e) => (e.error = error));
  const root = el.shadowRoot!;
  const ps = [...root.querySelectorAll('p')].map((p) => text(p));
  return { root, all: text(root.querySelector('.box')), first: ps.slice(0, 3).join(' | ') };
}

describe('ui/components: errors in words', () => {
  afterEach(() => unmountAll());

  it('a UnitError shows the meaning and the remedy first, the numbers last', async () => {
    const { root, first } = await show(new UnitError(209, 57, Command.DOM_SET_ATTR));
    assert.equal(root.querySelector('.box')!.getAttribute('role'), 'alert');
    assert.include(first, 'The signature threshold is greater than the number of administrators.');
    assert.include(text(root.querySelector('.remedy')), 'Add more administrators first, or choose a lower signature threshold.');
    assert.notInclude(first, '209', 'no number among the title, message and remedy');
    assert.include(text(root.querySelector('.code')), '209/57', 'the code is there for support');
    const order = [...root.querySelectorAll('p')].map((p) => p.className);
    assert.deepEqual(order, ['title', 'message', 'remedy', 'code']);
  });

  it('a counter mismatch (163) and a VP mismatch (101/48) say what happened and what to do', async () => {
    const a = await show(new UnitError(163, 0, Command.COMMIT_WK));
    assert.include(a.all, 'replay, out of order, or stale');
    assert.include(text(a.root.querySelector('.remedy')), 'Refresh the unit and prepare the command again');
    unmountAll();
    const b = await show(new UnitError(101, 48, Command.FINALIZE_WK));
    assert.include(b.all, 'The verification pattern does not match the register.');
    assert.include(text(b.root.querySelector('.remedy')), 'Compare the VPs on paper');
  });

  it('a failed step names the unit, shows the unit\'s error inside, and the next safe action', async () => {
    const cause = new UnitError(208, 0, Command.COMMIT_WK);
    const next: NextAction = { kind: 'commit', units: ['u2'], title: 'Commit the new master key on Unit 2', detail: 'Unit 1 is committed already.', destructive: false, requires: [], findings: [] };
    const { root, all } = await show(new StepFailedError('Commit the new master key', 'u2', 'Unit 2', cause, ['u1'], undefined, next));
    assert.include(text(root.querySelector('.title')), 'failed on Unit 2');
    assert.include(all, 'It completed on 1 unit(s) before that.');
    assert.include(all, 'Next safe action: Commit the new master key on Unit 2');
    const nested = root.querySelector('ul li')!;
    assert.include(text(nested), 'Not enough administrator signatures.');
    assert.include(text(nested), 'Collect signatures from as many administrators as the threshold requires.');
  });

  it('unreachable units list each unit with the transport\'s remedy', async () => {
    const t = new UnitTransportError('timeout', 'The unit did not answer within 60000 ms.', 'u1');
    const { root } = await show(new UnitsUnreachableError('Commit', [{ unitId: 'u1', label: 'Unit 1', error: { kind: 'transport', name: t.name, message: t.message, remedy: t.remedy } }]));
    const li = text(root.querySelector('ul li'));
    assert.include(li, 'Unit 1');
    assert.include(li, 'did not answer');
    assert.include(li, 'Refresh the unit state before repeating the step');
  });

  it('custodian errors: wrong password, wrong PIN with tries left, a blocked PIN with its unblock remedy', async () => {
    const pw = await show(new WrongPasswordError());
    assert.include(pw.all, 'Wrong password');
    unmountAll();
    const pin = await show(new WrongSecretError('wrong PIN', 2));
    assert.include(pin.all, 'Wrong PIN');
    assert.include(pin.all, '2 tries left before the card blocks the PIN.');
    unmountAll();
    const last = await show(new WrongSecretError('wrong PIN', 1));
    assert.include(last.all, '1 try left');
    assert.include(last.all, 'one more wrong PIN blocks the card');
    unmountAll();
    const blocked = await show(new PivPinBlockedError(3));
    assert.include(blocked.all, 'PIN is blocked');
    assert.include(text(blocked.root.querySelector('.remedy')), 'Unblock it with the PUK');
    assert.include(text(blocked.root.querySelector('.remedy')), '3 tries left');
  });

  it('a transport failure shows its remedy', async () => {
    const { root } = await show(new UnitTransportError('dead', 'The unit worker stopped: load failed.'));
    assert.include(text(root.querySelector('.message')), 'The unit worker stopped');
    assert.include(text(root.querySelector('.remedy')), 'Reload the page');
  });
});
