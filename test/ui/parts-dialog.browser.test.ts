/**
 * The key parts dialog: for each part in turn it shows the description and VP, takes the key
 * part file's password (a wrong one is refused and the field emptied), and wraps the part
 * itself to every importer key; the envelopes it returns open, with each importer's private
 * key, to exactly the typed part.
 */
import { describe, it, afterEach, assert, assertRejects } from '../harness.ts';
import { encodeEcSpki, openPartEnvelope } from '../../src/cryptounit/protocol/index.ts';
import { exportPublicPoint, generateEcKeyPair, subjectKeyIdentifier } from '../../src/crypto/index.ts';
import { createKeyPart, SoftKeyPartHolder } from '../../src/custodian/soft/index.ts';
import type { WrapRequest } from '../../src/ceremony/index.ts';
import { PartsDialog } from '../../src/ui/consent/parts-dialog.ts';
import { ConsentCancelled } from '../../src/ui/consent/modal.ts';
import { $, deepText, mount, text, type, unmountAll, waitFor } from './helpers.ts';

const c = globalThis.crypto;
const FAST = { insecureIterationsForTests: 1000 };
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const env = { cards: { list: [], pinState: async () => ({ retriesLeft: undefined, blocked: false }) } };

async function importer(label: string, curve: 'P-256' | 'P-521') {
  const pair = await generateEcKeyPair(c, curve, 'ECDH');
  const point = await exportPublicPoint(c, pair.publicKey);
  const ski = await subjectKeyIdentifier(c, point);
  return { label, curve, pair, ski, spki: encodeEcSpki(curve, point) };
}

describe('ui/consent: key parts dialog', () => {
  afterEach(() => unmountAll());

  it('asks each part\'s password in turn and returns envelopes that open to the parts', async () => {
    const values = ['11'.repeat(32), '2f'.repeat(16) + 'a0'.repeat(16)];
    const holder = new SoftKeyPartHolder(c, FAST);
    const infos = [];
    for (let i = 0; i < 2; i++) {
      const { text: t } = await createKeyPart(c, { description: `MK part ${i + 1}`, password: `password of part ${i + 1}`, value: values[i] }, FAST);
      infos.push(await holder.addFile(t));
    }
    const importers = [await importer('Unit 1', 'P-521'), await importer('Unit 2', 'P-256')];
    const req: WrapRequest = {
      step: { plan: 'load-master-key', step: 'wrap', title: 'Load the new master key' },
      parts: infos.map((info) => ({ holder, partId: info.id, info })),
      importers: importers.map((i, n) => ({ unitId: `u${n}`, label: i.label, spki: i.spki, ski: hex(i.ski) })),
    };
    const dlg = await mount(new PartsDialog(), (d) => (d.env = env));
    const asked = dlg.ask(req);
    await dlg.updateComplete;
    const root = dlg.shadowRoot!;
    assert.isTrue($<HTMLDialogElement>(root, 'dialog').open);
    assert.include(text($(root, 'h3')), 'key part 1 of 2');
    assert.equal(text($(root, '.part-description')), 'MK part 1');
    assert.equal(text($(root, '.part-vp')), hex(infos[0].vp).toUpperCase().match(/.{4}/g)!.join(' '));
    assert.equal(text($(root, 'label[for=part-secret]')), 'Password of the key part file');
    assert.lengthOf(root.querySelectorAll('tbody tr'), 2, 'both importer keys listed');

    type($<HTMLInputElement>(root, '#part-secret'), 'wrong');
    $<HTMLButtonElement>(root, 'button[type=submit]').click();
    assert.equal($<HTMLInputElement>(root, '#part-secret').value, '');
    await waitFor(() => deepText(root).includes('Wrong password'), 'the wrong-password message');
    assert.include(text($(root, 'h3')), 'key part 1 of 2', 'still the first part');

    type($<HTMLInputElement>(root, '#part-secret'), 'password of part 1');
    $<HTMLButtonElement>(root, 'button[type=submit]').click();
    await waitFor(() => text(root.querySelector('h3')).includes('key part 2 of 2'), 'the second part');
    assert.equal(text($(root, '.part-description')), 'MK part 2');
    type($<HTMLInputElement>(root, '#part-secret'), 'password of part 2');
    $<HTMLButtonElement>(root, 'button[type=submit]').click();
    const envelopes = await asked;

    assert.lengthOf(envelopes, 2);
    for (let p = 0; p < 2; p++) {
      assert.lengthOf(envelopes[p], 2, 'one envelope per unit');
      for (let u = 0; u < 2; u++) {
        const imp = importers[u];
        const part = await openPartEnvelope(c, { curve: imp.curve, ski: imp.ski, privateKey: imp.pair.privateKey }, envelopes[p][u]);
        assert.equal(hex(part), values[p], `part ${p + 1} for ${imp.label}`);
      }
    }
    assert.isFalse($<HTMLDialogElement>(root, 'dialog').open);
  });

  it('cancel rejects and nothing is returned', async () => {
    const holder = new SoftKeyPartHolder(c, FAST);
    const { text: t } = await createKeyPart(c, { description: 'MK part 1', password: 'password of part 1' }, FAST);
    const info = await holder.addFile(t);
    const imp = await importer('Unit 1', 'P-256');
    const dlg = await mount(new PartsDialog(), (d) => (d.env = env));
    const asked = dlg.ask({
      step: { plan: 'load-master-key', step: 'wrap', title: 'Load' },
      parts: [{ holder, partId: info.id, info }],
      importers: [{ unitId: 'u0', label: 'Unit 1', spki: imp.spki, ski: hex(imp.ski) }],
    });
    await dlg.updateComplete;
    const input = $<HTMLInputElement>(dlg.shadowRoot!, '#part-secret');
    type(input, 'password of part 1');
    [...dlg.shadowRoot!.querySelectorAll('button')].find((b) => text(b) === 'Cancel')!.click();
    await assertRejects(asked, ConsentCancelled);
    assert.equal(input.value, '', 'the typed secret is dropped');
    await dlg.updateComplete;
    assert.isNull(dlg.shadowRoot!.querySelector('#part-secret'), 'the form is gone');
    assert.isFalse($<HTMLDialogElement>(dlg.shadowRoot!, 'dialog').open);
  });
});
