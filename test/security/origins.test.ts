import { describe, it, assert, assertThrows } from '../harness.ts';
import { normalizeOrigin, parseUnitOrigins, UnitOriginError } from '../../src/security/origins.ts';

describe('security/origins: configured crypto unit origins', () => {
  it('normalizes an origin: lower-case host, default port dropped, trailing slash dropped', () => {
    assert.equal(normalizeOrigin('https://Unit-A.Example:443/'), 'https://unit-a.example');
    assert.equal(normalizeOrigin('  https://unit-a.example:8443 '), 'https://unit-a.example:8443');
    assert.equal(normalizeOrigin('http://127.0.0.1:9000'), 'http://127.0.0.1:9000');
    assert.equal(normalizeOrigin('http://[::1]:80'), 'http://[::1]');
  });

  it('refuses anything more or less than an http(s) origin, saying why', () => {
    const cases: Array<[string, string]> = [
      ['unit-a.example', 'not-a-url'],
      ['ftp://unit-a.example', 'scheme'],
      ['ws://unit-a.example', 'scheme'],
      ['file:///etc/passwd', 'scheme'],
      ['https://user:pw@unit-a.example', 'credentials'],
      ['https://unit-a.example/api', 'path'],
      ['https://unit-a.example/?x=1', 'path'],
      ['https://unit-a.example/#frag', 'path'],
      ['https://unit-a.example?', 'path'],
      ['https://*.example', 'wildcard'],
    ];
    for (const [input, problem] of cases) {
      const e = assertThrows(() => normalizeOrigin(input), UnitOriginError, input);
      assert.equal(e.problem, problem, input);
      assert.equal(e.input, input);
    }
  });

  it('parses a list separated by spaces, commas and new lines; drops duplicates; keeps order', () => {
    assert.deepEqual(parseUnitOrigins(undefined), []);
    assert.deepEqual(parseUnitOrigins('  '), []);
    assert.deepEqual(
      parseUnitOrigins('https://b.example:8443, https://a.example\nhttps://B.example:8443/  https://a.example:443'),
      ['https://b.example:8443', 'https://a.example'],
    );
    assertThrows(() => parseUnitOrigins('https://a.example https://b.example/path'), UnitOriginError);
  });
});
