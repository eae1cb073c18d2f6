/**
 * The signing dialog against real simulated units and real software key files: it shows each
 * unit's block (words and SHA-256, recomputed here with @noble/hashes), asks the signers in
 * turn, empties the password field after every try, refuses a key of another administrator,
 * and the signers it returns really sign: both units accept the command they signed.
 */
import { describe, it, before, afterEach, assert, assertRejects } from '../harness.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { CryptoUnitClient, type PreparedCommand } from '../../src/cryptounit/client.ts';
import { Attribute, Command, encodeAttributePairs } from '../../src/cryptounit/protocol/index.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../src/cryptounit/simulated/index.ts';
import { MemoryUnitTransport } from '../../src/cryptounit/transports/memory.ts';
import { createSignatureKey } from '../../src/custodian/soft/index.ts';
import type { SignerRequest } from '../../src/ceremony/index.ts';
import type { AdminRecord } from '../../src/store/index.ts';
import { SigningDialog, type SigningEnv } from '../../src/ui/consent/signing-dialog.ts';
import { ConsentCancelled } from '../../src/ui/consent/modal.ts';
import { $, deepText, mount, setFiles, text, type, unmountAll, waitFor, choose } from './helpers.ts';

const c = globalThis.crypto;
const FAST = { insecureIterationsForTests: 1000 };
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
/** "9F86D081…" in groups of four, as people compare it, computed independently. */
const grouped = (h: string): string => h.toUpperCase().match(/.{1,4}/g)!.join(' ');

interface Admin {
  name: string;
  password: string;
  text: string;
  record: AdminRecord;
}

async function makeAdmin(name: string, password: string): Promise<Admin> {
  const { text: t, signer } = await createSignatureKey(c, { name, password, curve: 'P-256' }, FAST);
  const record: AdminRecord = {
    ski: hex(signer.ski), name, curve: signer.curve, certificate: signer.certificate, location: { kind: 'software', fileName: `${name}.json` }, added: 0,
  };
  signer.close();
  return { name, password, text: t, record };
}

const env: SigningEnv = {
  crypto: c,
  keyFileOptions: FAST,
  cards: { list: [], pinState: async () => ({ retriesLeft: 3, blocked: false }) },
  promptSecret: () => Promise.reject(new Error('no card in this test')),
};

describe('ui/consent: signing dialog', () => {
  let alice: Admin;
  let bob: Admin;
  let clients: CryptoUnitClient[];
  let prepared: PreparedCommand[];
  let req: SignerRequest;

  before(async () => {
    alice = await makeAdmin('Alice', 'alice-password-1');
    bob = await makeAdmin('Bob', 'bob-password-22');
  });

  async function freshUnits(): Promise<void> {
    const host = await SimulatedHost.create({ crypto: c });
    clients = [];
    for (let i = 0; i < 2; i++) {
      const unit = await SimulatedCryptoUnit.create({ host, crypto: c });
      const client = new CryptoUnitClient({ transport: new MemoryUnitTransport((r) => unit.handle(r)), crypto: c });
      await client.connect();
      await client.addAdmin(alice.record.certificate);
      await client.addAdmin(bob.record.certificate);
      clients.push(client);
    }
    const payload = encodeAttributePairs([{ index: Attribute.SIGN_THR, value: 2 }, { index: Attribute.REVOKE_THR, value: 2 }]);
    prepared = [await clients[0].prepare(Command.DOM_SET_ATTR, payload), await clients[1].prepare(Command.DOM_SET_ATTR, payload)];
    req = {
      step: { plan: 'set-thresholds', step: 'set-thresholds', title: 'Set the signature threshold to 2 and the revocation threshold to 2' },
      units: prepared.map((p, i) => ({
        unitId: `u${i}`, label: `Unit ${i + 1}`, prepared: p, description: p.description, blockSha256: grouped(hex(sha256(p.adminBlock))),
      })),
      required: 2,
      candidates: [alice.record, bob.record],
    };
  }

  afterEach(() => unmountAll());

  it('shows every unit\'s block, asks each signer in turn, clears the password, and returns signers the units accept', async () => {
    await freshUnits();
    const dlg = await mount(new SigningDialog(), (d) => (d.env = env));
    const asked = dlg.ask(req);
    await dlg.updateComplete;
    const root = dlg.shadowRoot!;
    assert.isTrue($<HTMLDialogElement>(root, 'dialog').open, 'a modal dialog');

    // what is being signed, per unit: the words and the block's SHA-256
    const rows = [...root.querySelectorAll('table.blocks tbody tr')];
    assert.lengthOf(rows, 2);
    rows.forEach((row, i) => {
      assert.equal(text(row.querySelector('th')), `Unit ${i + 1}`);
      assert.include(text(row.querySelector('.description')), 'Set the signature threshold to 2 and the revocation threshold to 2.');
      assert.equal(text(row.querySelector('.block-hash')), grouped(hex(sha256(prepared[i].adminBlock))));
    });
    assert.notEqual(text(rows[0].querySelector('.block-hash')), text(rows[1].querySelector('.block-hash')), 'each unit has its own block');
    assert.include(text($(root, 'legend')), 'Signer 1 of 2');

    // a wrong password: refused, field emptied, still the first signer
    const admin = () => $<HTMLSelectElement>(root, '#admin');
    choose(admin(), alice.record.ski);
    setFiles($<HTMLInputElement>(root, '#keyfile'), [{ name: 'alice.json', text: alice.text }]);
    type($<HTMLInputElement>(root, '#secret'), 'not the password');
    $<HTMLButtonElement>(root, 'button[type=submit]').click();
    assert.equal($<HTMLInputElement>(root, '#secret').value, '', 'emptied as soon as it is handed over');
    await waitFor(() => deepText(root).includes('Wrong password'), 'the wrong-password message', 60_000).catch((e) => { throw new Error(`${e.message}: ${deepText(root).slice(-600)}`); });
    assert.equal($<HTMLInputElement>(root, '#secret').value, '');
    assert.include(text($(root, 'legend')), 'Signer 1 of 2');

    // the right password: the next signer is asked, Alice is no longer offered
    type($<HTMLInputElement>(root, '#secret'), alice.password);
    $<HTMLButtonElement>(root, 'button[type=submit]').click();
    await waitFor(() => text(root.querySelector('legend')).includes('Signer 2 of 2'), 'the second signer');
    assert.equal($<HTMLInputElement>(root, '#secret').value, '');
    assert.deepEqual([...admin().options].map((o) => o.value), [bob.record.ski]);
    assert.include(text($(root, '.progress-text')), 'Signed so far: Alice');

    // Alice's file for Bob: refused
    setFiles($<HTMLInputElement>(root, '#keyfile'), [{ name: 'alice.json', text: alice.text }]);
    type($<HTMLInputElement>(root, '#secret'), alice.password);
    $<HTMLButtonElement>(root, 'button[type=submit]').click();
    await waitFor(() => deepText(root).includes('belongs to "Alice", not to "Bob"'), 'the wrong-key message');
    assert.equal($<HTMLInputElement>(root, '#secret').value, '');

    setFiles($<HTMLInputElement>(root, '#keyfile'), [{ name: 'bob.json', text: bob.text }]);
    type($<HTMLInputElement>(root, '#secret'), bob.password);
    $<HTMLButtonElement>(root, 'button[type=submit]').click();
    const signers = await asked;
    assert.deepEqual(signers.map((s) => s.name), ['Alice', 'Bob']);
    assert.isFalse($<HTMLDialogElement>(root, 'dialog').open, 'closed when done');

    // the signers sign for real: both units leave imprint mode with 2/2
    for (let i = 0; i < 2; i++) {
      const sigs = await clients[i].collectSignatures(prepared[i], signers);
      await clients[i].submit(prepared[i], sigs);
      assert.deepEqual(await clients[i].attributes(), { signThreshold: 2, revokeThreshold: 2, mode: 'authenticated' });
    }
    signers.forEach((s) => s.close());
  });

  it('after the first signer, the administrator the select shows is the one the dialog checks (3 candidates, 2 signers)', async () => {
    await freshUnits();
    const carol = await makeAdmin('Carol', 'carol-password-333');
    const files = new Map([alice, bob, carol].map((a) => [a.record.ski, a]));
    const dlg = await mount(new SigningDialog(), (d) => (d.env = env));
    const asked = dlg.ask({ ...req, candidates: [alice.record, bob.record, carol.record], required: 2 });
    await dlg.updateComplete;
    const root = dlg.shadowRoot!;
    const select = () => $<HTMLSelectElement>(root, '#admin');
    const submit = () => $<HTMLButtonElement>(root, 'button[type=submit]');
    /** the administrator a person sees in the closed select: the selected option's name */
    const shown = () => text(select().selectedOptions[0]).split(' — ')[0];

    for (const [n, expected] of [[1, 'Alice'], [2, 'Bob']] as const) {
      await waitFor(() => text(root.querySelector('legend')).includes(`Signer ${n} of 2`), `signer ${n}`);
      await dlg.updateComplete;
      assert.equal(shown(), expected, `signer ${n}: the select shows the proposed administrator`);
      assert.equal(text(submit()), `Sign as ${expected}`, `signer ${n}: the button names the same administrator`);
      // the person trusts what the select shows and brings that administrator's key file
      const admin = files.get(select().value)!;
      assert.equal(admin.name, expected, 'the select\'s value is that administrator\'s SKI');
      setFiles($<HTMLInputElement>(root, '#keyfile'), [{ name: `${admin.name}.json`, text: admin.text }]);
      type($<HTMLInputElement>(root, '#secret'), admin.password);
      submit().click();
      await waitFor(() => !root.querySelector('dialog')?.open || text(root.querySelector('legend')).includes(`Signer ${n + 1} of 2`)
        || deepText(root).includes('belongs to'), `the signature of ${expected}`);
      assert.notInclude(deepText(root), 'belongs to', 'the key of the administrator shown was accepted');
    }
    const signers = await asked;
    assert.deepEqual(signers.map((s) => s.name), ['Alice', 'Bob']);
    signers.forEach((s) => s.close());
  });

  it('cancel rejects, closes the dialog and gives the focus back', async () => {
    await freshUnits();
    const before = document.createElement('button');
    before.textContent = 'start';
    document.body.append(before);
    before.focus();
    const dlg = await mount(new SigningDialog(), (d) => (d.env = env));
    const asked = dlg.ask({ ...req, required: 1 });
    await dlg.updateComplete;
    const root = dlg.shadowRoot!;
    assert.notEqual(document.activeElement, before, 'the focus moved into the dialog');
    assert.equal(root.activeElement?.id, 'admin', 'on the first control');
    [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Cancel')!.click();
    await assertRejects(asked, ConsentCancelled);
    assert.isFalse($<HTMLDialogElement>(root, 'dialog').open);
    assert.equal(document.activeElement, before, 'focus returned');
    before.remove();
  });

  it('Escape cancels as well', async () => {
    await freshUnits();
    const dlg = await mount(new SigningDialog(), (d) => (d.env = env));
    const asked = dlg.ask({ ...req, required: 1 });
    await dlg.updateComplete;
    $<HTMLDialogElement>(dlg.shadowRoot!, 'dialog').dispatchEvent(new Event('cancel', { cancelable: true }));
    await assertRejects(asked, ConsentCancelled);
  });
});
