import { describe, it, assert, afterEach } from '../harness.ts';
import { AppShell } from '../../src/ui/app-shell.ts';
import type { HashSource } from '../../src/ui/router.ts';
import type { WorkerProbeResult } from '../../src/selfcheck/worker-probe.ts';

function fakeHash(initial: string) {
  const listeners = new Set<() => void>();
  const source: HashSource & { go(h: string): void; listeners: Set<() => void> } = {
    hash: initial,
    listeners,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    go(h) {
      (this as { hash: string }).hash = h;
      listeners.forEach((l) => l());
    },
  };
  return source;
}

const mounted: HTMLElement[] = [];
async function mount(hash: string, setup: (s: AppShell) => void = () => {}) {
  const shell = new AppShell();
  const source = fakeHash(hash);
  shell.hashSource = source;
  setup(shell);
  document.body.append(shell);
  mounted.push(shell);
  await shell.updateComplete;
  return { shell, source, root: shell.shadowRoot! };
}

/** The heading the current view renders (inside the view's own shadow root). */
async function heading(shell: AppShell): Promise<string> {
  const view = shell.shadowRoot!.querySelector('main')!.firstElementChild as HTMLElement & { updateComplete: Promise<unknown> };
  await view.updateComplete;
  return view.shadowRoot!.querySelector('h2')!.textContent!.trim();
}

describe('ui/app-shell', () => {
  afterEach(() => {
    for (const el of mounted.splice(0)) el.remove();
  });

  it('prints only the view: header, navigation, footer and the dialogs are hidden by a print rule of the shell', async () => {
    const { root } = await mount('#/journal');
    const printRules: CSSStyleRule[] = [];
    for (const sheet of root.adoptedStyleSheets) {
      for (const rule of sheet.cssRules) {
        if (rule instanceof CSSMediaRule && rule.media.mediaText === 'print') {
          for (const inner of rule.cssRules) if (inner instanceof CSSStyleRule) printRules.push(inner);
        }
      }
    }
    const hiddenInPrint = (el: Element): boolean =>
      printRules.some((r) => el.matches(r.selectorText) && r.style.getPropertyValue('display') === 'none');
    for (const sel of ['header', 'nav', 'footer', 'webtke-consent']) {
      const el = root.querySelector(sel);
      assert.isNotNull(el, sel);
      assert.isTrue(hiddenInPrint(el!), `${sel} is hidden when printing`);
      assert.notEqual(getComputedStyle(el!).display, 'none', `${sel} shows on screen`);
    }
    const main = root.querySelector('main')!;
    assert.isFalse(hiddenInPrint(main), 'the view itself is printed');
    assert.isFalse(hiddenInPrint(main.firstElementChild!), 'the view itself is printed');
  });

  it('renders the header, six links with their hashes, and the routed view with aria-current', async () => {
    const { shell, root } = await mount('#/master-key');
    assert.equal(root.querySelector('h1')?.textContent, 'webtke');
    const links = [...root.querySelectorAll('nav a')];
    assert.deepEqual(links.map((a) => a.getAttribute('href')), ['#/instance', '#/administrators', '#/master-key', '#/key-storage', '#/journal', '#/settings']);
    assert.deepEqual(links.filter((a) => a.getAttribute('aria-current') === 'page').map((a) => a.textContent), ['Master key']);
    assert.equal(await heading(shell), 'Master key');
  });

  it('follows hash changes, moves the focus to <main>, and shows the default view for unknown routes', async () => {
    const { shell, source, root } = await mount('#/nowhere');
    assert.equal(await heading(shell), 'Instance');
    source.go('#/journal');
    await shell.updateComplete;
    await shell.updateComplete;
    assert.equal(await heading(shell), 'Journal');
    assert.equal(root.activeElement, root.querySelector('main'));
    shell.remove();
    assert.equal(source.listeners.size, 0, 'unsubscribed when removed');
  });

  it('Settings shows the build facts and runs the worker check it was given', async () => {
    const result: WorkerProbeResult = { nonceHex: 'ab'.repeat(16), digestHex: 'cd'.repeat(32), workerScheme: 'blob:', ms: 12.4 };
    let runs = 0;
    const { shell } = await mount('#/settings', (s) => {
      s.build = { version: '9.8.7', delivery: 'single' };
      s.offline = 'not-used';
      s.checkWorker = async () => (runs++, result);
    });
    const view = shell.shadowRoot!.querySelector('webtke-settings-view')!;
    await view.updateComplete;
    const r = view.shadowRoot!;
    assert.equal(r.querySelector('.version')?.textContent, '9.8.7');
    assert.equal(r.querySelector('.delivery')?.textContent, 'single-file build');
    r.querySelector('button')!.click();
    await new Promise((ok) => setTimeout(ok, 0));
    await view.updateComplete;
    assert.equal(runs, 1);
    const status = r.querySelector('[role=status]')!.textContent!.replace(/\s+/g, ' ');
    assert.include(status, 'Worker OK: the worker (loaded from blob:) answered in 12 ms');
    assert.include(status, result.digestHex);
  });

  it('Settings reports a failed worker check in words', async () => {
    const { shell } = await mount('#/settings', (s) => {
      s.checkWorker = async () => {
        throw new Error('the worker failed to load');
      };
    });
    const view = shell.shadowRoot!.querySelector('webtke-settings-view')!;
    await view.updateComplete;
    view.shadowRoot!.querySelector('button')!.click();
    await new Promise((ok) => setTimeout(ok, 0));
    await view.updateComplete;
    assert.include(view.shadowRoot!.querySelector('[role=status]')!.textContent!, 'Worker check failed: the worker failed to load');
  });
});
