/** Typed confirmation: the confirm button stays disabled until the exact phrase is typed. */
import { describe, it, afterEach, assert } from '../harness.ts';
import { ConfirmDialog } from '../../src/ui/consent/confirm-dialog.ts';
import { $, mount, text, type, unmountAll } from './helpers.ts';

const buttons = (root: ShadowRoot) => {
  const all = [...root.querySelectorAll('button')];
  return { confirm: all.find((b) => b.type === 'submit')!, cancel: all.find((b) => b.textContent?.trim() === 'Cancel')! };
};

describe('ui/consent: typed confirmation', () => {
  afterEach(() => unmountAll());

  it('keeps the button disabled for a wrong or partial phrase and confirms on the exact one', async () => {
    const dlg = await mount(new ConfirmDialog());
    const answer = dlg.ask({ title: 'Zeroize every unit?', detail: 'Removes every administrator and both master keys.', typedPhrase: 'ZEROIZE', kind: 'destructive' });
    await dlg.updateComplete;
    const root = dlg.shadowRoot!;
    assert.isTrue($<HTMLDialogElement>(root, 'dialog').open);
    assert.equal(text($(root, 'h3')), 'Zeroize every unit?');
    assert.include(text($(root, 'label[for=phrase]')), 'Type ZEROIZE to confirm');
    const phrase = $<HTMLInputElement>(root, '#phrase');
    assert.equal(root.activeElement, phrase, 'the focus is on the phrase field');
    const { confirm } = buttons(root);
    assert.isTrue(confirm.disabled, 'nothing typed');
    for (const wrong of ['ZERO', 'zeroize', 'ZEROIZE ', ' ZEROIZE', 'ZEROISE']) {
      type(phrase, wrong);
      await dlg.updateComplete;
      assert.isTrue(buttons(root).confirm.disabled, `"${wrong}"`);
    }
    // submitting the form (Enter) with a wrong phrase does nothing
    $<HTMLFormElement>(root, 'form').requestSubmit();
    await dlg.updateComplete;
    assert.isTrue(dlg.isOpen, 'still asking');
    type(phrase, 'ZEROIZE');
    await dlg.updateComplete;
    assert.isFalse(buttons(root).confirm.disabled);
    buttons(root).confirm.click();
    assert.isTrue(await answer);
    assert.isFalse($<HTMLDialogElement>(root, 'dialog').open);
  });

  it('cancel and Escape answer no', async () => {
    const dlg = await mount(new ConfirmDialog());
    let answer = dlg.ask({ title: 'Reset?', detail: 'd', typedPhrase: 'Lab', kind: 'destructive' });
    await dlg.updateComplete;
    type($<HTMLInputElement>(dlg.shadowRoot!, '#phrase'), 'Lab');
    await dlg.updateComplete;
    buttons(dlg.shadowRoot!).cancel.click();
    assert.isFalse(await answer, 'cancel says no even with the phrase typed');
    answer = dlg.ask({ title: 'Reset?', detail: 'd', typedPhrase: 'Lab', kind: 'destructive' });
    await dlg.updateComplete;
    $<HTMLDialogElement>(dlg.shadowRoot!, 'dialog').dispatchEvent(new Event('cancel', { cancelable: true }));
    assert.isFalse(await answer);
  });

  it('without a phrase the button is enabled at once', async () => {
    const dlg = await mount(new ConfirmDialog());
    const answer = dlg.ask({ title: 'Remove Bob from the directory?', detail: 'd', kind: 'plain' });
    await dlg.updateComplete;
    assert.isNull(dlg.shadowRoot!.querySelector('#phrase'));
    const { confirm } = buttons(dlg.shadowRoot!);
    assert.isFalse(confirm.disabled);
    confirm.click();
    assert.isTrue(await answer);
  });
});
