import { describe, it, assert } from '../harness.ts';
import { installDefaultPolicy, scriptUrlAllowed, type TrustedTypesLike } from '../../src/security/trusted-types.ts';

describe('security/trusted-types: the default policy for script URLs', () => {
  it('allows same-origin http(s) script URLs and blob: URLs, nothing else', () => {
    const page = 'https://ceremony.example/webtke/index.html#/settings';
    const allowed = ['sw.js', './assets/worker-abc.js', 'https://ceremony.example/webtke/sw.js', 'blob:https://ceremony.example/1b4e28ba-2fa1-11d2-883f-0016d3cca427'];
    const refused = [
      'https://evil.example/x.js',
      'http://ceremony.example/webtke/sw.js', // other scheme, other origin
      'https://ceremony.example:8443/x.js',
      'data:text/javascript,alert(1)',
      'javascript:alert(1)',
      '//evil.example/x.js',
    ];
    for (const u of allowed) assert.isTrue(scriptUrlAllowed(u, page), u);
    for (const u of refused) assert.isFalse(scriptUrlAllowed(u, page), u);
  });

  it('from file:// (an opaque origin) allows only blob: URLs', () => {
    const page = 'file:///home/op/webtke.html';
    assert.isTrue(scriptUrlAllowed('blob:null/1b4e28ba-2fa1-11d2-883f-0016d3cca427', page));
    assert.isFalse(scriptUrlAllowed('worker.js', page));
    assert.isFalse(scriptUrlAllowed('file:///home/op/worker.js', page));
  });

  it('installs one "default" policy whose createScriptURL applies the rule; none where one exists', () => {
    const made: Array<{ name: string; createScriptURL?: (s: string) => string | null }> = [];
    const tt: TrustedTypesLike = { createPolicy: (name, rules) => made.push({ name, ...rules }) };
    assert.isTrue(installDefaultPolicy(tt, 'https://a.example/'));
    assert.lengthOf(made, 1);
    assert.equal(made[0].name, 'default');
    assert.equal(made[0].createScriptURL?.('https://a.example/sw.js'), 'https://a.example/sw.js');
    assert.isNull(made[0].createScriptURL?.('https://b.example/sw.js'));
    assert.isFalse(installDefaultPolicy({ createPolicy: () => assert.fail('must not create'), defaultPolicy: {} }, 'https://a.example/'));
    assert.isFalse(installDefaultPolicy(undefined, 'https://a.example/'));
  });
});
