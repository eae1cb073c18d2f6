/** The unit server's options, token check and CORS helpers. */
import { describe, it, assert, assertThrows } from '../harness.ts';
import { ArgsError, parseArgs } from '../../server/args.ts';
import { bearerChecker } from '../../server/auth.ts';
import { originVerdict, preflightHeaders, requestedHeadersAllowed } from '../../server/cors.ts';

describe('server/args', () => {
  it('defaults: 2 units on 127.0.0.1:8787, no state, no token, no origin', () => {
    assert.deepEqual(parseArgs([]), { units: 2, port: 8787, host: '127.0.0.1', allowOrigins: [], help: false });
  });

  it('reads every option, both spellings', () => {
    const a = parseArgs([
      '--units', '3', '--port=0', '--host', '::1', '--state-dir', '/tmp/u', '--token', 'abcdefghijklmnop~._-+/=',
      '--allow-origin', 'HTTP://127.0.0.1:5173/', '--allow-origin=https://tke.example', '--allow-origin', 'http://127.0.0.1:5173',
    ]);
    assert.deepEqual(a, {
      units: 3, port: 0, host: '::1', stateDir: '/tmp/u', token: 'abcdefghijklmnop~._-+/=',
      allowOrigins: ['http://127.0.0.1:5173', 'https://tke.example'], help: false,
    });
    assert.isTrue(parseArgs(['--help']).help);
  });

  it('reads the token from a file, without its final line break', () => {
    const files: Record<string, string> = { '/run/token': 'file-token-0123456789\n' };
    assert.equal(parseArgs(['--token-file', '/run/token'], (p) => files[p]).token, 'file-token-0123456789');
  });

  it('refuses what it cannot use', () => {
    const bad: string[][] = [
      ['--units', '0'], ['--units', '17'], ['--units', 'two'], ['--port', '65536'], ['--port', '-1'], ['--port'],
      ['--token', 'fifteen-chars15'], ['--token', 'has space in it, long enough'], ['--token', 'quote"inside-long-enough'],
      ['--token', 'abcdefghijklmnopq', '--token', 'abcdefghijklmnopq'], ['--allow-origin', 'http://127.0.0.1:5173/app'],
      ['--allow-origin', 'https://*.example'], ['--allow-origin', 'file:///x'], ['--unknown'], ['--state-dir', '--units'],
    ];
    for (const args of bad) assertThrows(() => parseArgs(args, () => 'x'), ArgsError, args.join(' '));
  });
});

describe('server/auth: bearer token', () => {
  const check = bearerChecker('the-token-0123456789');
  it('accepts exactly the token, with the scheme in any case', () => {
    assert.isTrue(check({ authorization: 'Bearer the-token-0123456789' }));
    assert.isTrue(check({ authorization: 'bearer the-token-0123456789' }));
  });
  it('refuses anything else', () => {
    for (const authorization of [undefined, '', 'Bearer', 'Bearer ', 'Bearer the-token-012345678', 'Bearer the-token-01234567890',
      'Basic the-token-0123456789', 'the-token-0123456789', 'Bearer the-token-0123456789 extra']) {
      assert.isFalse(check(authorization === undefined ? {} : { authorization }), String(authorization));
    }
  });
});

describe('server/cors', () => {
  const allowed = new Set(['http://127.0.0.1:5173']);
  it('sorts requests into no origin, allowed, refused', () => {
    assert.deepEqual(originVerdict({}, allowed), { kind: 'none' });
    assert.deepEqual(originVerdict({ origin: 'http://127.0.0.1:5173' }, allowed), { kind: 'allowed', origin: 'http://127.0.0.1:5173' });
    assert.deepEqual(originVerdict({ origin: 'http://localhost:5173' }, allowed), { kind: 'refused', origin: 'http://localhost:5173' });
    assert.deepEqual(originVerdict({ origin: 'null' }, allowed), { kind: 'refused', origin: 'null' });
  });
  it('allows only the headers webtke sends', () => {
    assert.isTrue(requestedHeadersAllowed({}));
    assert.isTrue(requestedHeadersAllowed({ 'access-control-request-headers': 'Content-Type,Authorization' }));
    assert.isFalse(requestedHeadersAllowed({ 'access-control-request-headers': 'content-type, cookie' }));
  });
  it('never allows credentials or a wildcard', () => {
    const h = preflightHeaders('http://127.0.0.1:5173', 'POST', {});
    assert.equal(h['Access-Control-Allow-Origin'], 'http://127.0.0.1:5173');
    assert.notProperty(h, 'Access-Control-Allow-Credentials');
    assert.notProperty(h, 'Access-Control-Allow-Private-Network');
  });
});
