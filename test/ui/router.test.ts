import { describe, it, assert } from '../harness.ts';
import { DEFAULT_VIEW, hrefOf, viewFromHash, VIEWS, windowHashSource } from '../../src/ui/router.ts';

describe('ui/router: hash routes', () => {
  it('has the six views in order, each with a #/ link that routes back to it', () => {
    assert.deepEqual(VIEWS.map((v) => v.label), ['Instance', 'Administrators', 'Master key', 'Key storage', 'Journal', 'Settings']);
    assert.deepEqual(VIEWS.map((v) => hrefOf(v.id)), ['#/instance', '#/administrators', '#/master-key', '#/key-storage', '#/journal', '#/settings']);
    for (const v of VIEWS) assert.equal(viewFromHash(hrefOf(v.id)), v.id);
    assert.equal(DEFAULT_VIEW, 'instance');
  });

  it('reads sub-routes as their view and anything else as no view', () => {
    assert.equal(viewFromHash('#/journal/2024-01-01'), 'journal');
    for (const h of ['', '#', '#/', '#journal', '#/Journal', '#/journals', '#/nope', '/journal', '#/journal?x']) {
      assert.isNull(viewFromHash(h), h);
    }
  });

  it('follows a window\'s hashchange events and unsubscribes', () => {
    const listeners = new Set<() => void>();
    const win = {
      location: { hash: '#/instance' },
      addEventListener: (type: string, l: () => void) => type === 'hashchange' && listeners.add(l),
      removeEventListener: (type: string, l: () => void) => type === 'hashchange' && listeners.delete(l),
    };
    const source = windowHashSource(win as unknown as Window);
    let calls = 0;
    const off = source.subscribe(() => calls++);
    win.location.hash = '#/journal';
    listeners.forEach((l) => l());
    assert.equal(source.hash, '#/journal');
    assert.equal(calls, 1);
    off();
    assert.equal(listeners.size, 0);
  });
});
