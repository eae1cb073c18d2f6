/**
 * The T1Card fake itself must be strict, or the engine tests prove little: it refuses a host
 * that gets N(S), chaining, IFSC or the S-block rules wrong. Blocks are written by hand
 * (NAD 00, LRC = XOR of the bytes before it).
 */
import { assert, assertBytes, assertRejects, bytesOf, describe, hexOf, it } from '../../../../harness.ts';
import { T1Card, type T1CardOptions } from '../../../../fakes/t1-card.ts';

const echo = async (apdu: Uint8Array): Promise<Uint8Array> => apdu.slice();

async function talk(card: T1Card, host: string, expected: string | null, note?: string): Promise<void> {
  const reply = await card.receiveBlock(bytesOf(host));
  if (expected === null) assert.isNull(reply, note);
  else assert.equal(hexOf(reply!), hexOf(bytesOf(expected)), note ?? host);
}

function card(opts: T1CardOptions = {}): T1Card {
  return new T1Card(echo, { ifsc: 4, ifsd: 2, ...opts });
}

describe('T1Card fake follows the rules strictly', () => {
  it('answers a correct exchange and echoes in chains both ways', async () => {
    const c = card();
    await talk(c, '00 20 04 01020304 20', '00 90 00 90'); // I(0,M) / R(1)
    await talk(c, '00 40 01 05 44', '00 20 02 0102 21'); // I(1) / I(0,M) with IFSD 2
    await talk(c, '00 90 00 90', '00 60 02 0304 65'); // R(1) / I(1,M)
    await talk(c, '00 80 00 80', '00 00 01 05 04'); // R(0) / I(0)
    assertBytes(c.commands[0], bytesOf('0102030405'));
  });

  it('refuses a first I-block with N(S) 1', async () => {
    await talk(card(), '00 40 01 05 44', '00 82 00 82');
  });

  it('refuses an I-block longer than its IFSC', async () => {
    await talk(card(), '00 00 05 0102030405 04', '00 82 00 82');
  });

  it('refuses a repeated chained I-block (wrong N(S))', async () => {
    const c = card();
    await talk(c, '00 20 04 01020304 20', '00 90 00 90');
    await talk(c, '00 20 04 01020304 20', '00 92 00 92');
    assert.equal(c.commands.length, 0);
  });

  it('refuses an I-block while its own chain waits for an R-block', async () => {
    const c = card();
    await talk(c, '00 00 03 010203 03', '00 20 02 0102 21'); // I(0) / I(0,M)
    await talk(c, '00 40 01 09 48', '00 92 00 92'); // I(1) instead of R(1)
    await talk(c, '00 90 00 90', '00 40 01 03 42'); // then R(1) continues the chain: I(1)
  });

  it('answers a bad EDC with R(N(R), EDC error) and a bad length with "other error"', async () => {
    const c = card();
    await talk(c, '00 00 01 05 00', '00 81 00 81');
    await talk(c, '00 00 02 05 07', '00 82 00 82');
    await talk(c, '00 00 01 05 04', '00 00 01 05 04', 'then the correct block works');
  });

  it('repeats its last block when the host asks with R-blocks', async () => {
    const c = card();
    await talk(c, '00 00 01 05 04', '00 00 01 05 04'); // I(0) / I(0)
    await talk(c, '00 82 00 82', '00 00 01 05 04', 'R(0): the card I-block again');
    await talk(c, '00 92 00 92', '00 92 00 92', 'R(1) acknowledges nothing: refused, N(R) 1');
    const d = card();
    await talk(d, '00 20 04 01020304 20', '00 90 00 90');
    await talk(d, '00 82 00 82', '00 90 00 90', 'its R-block again (rule 7.2)');
  });

  it('refuses S(WTX request) from the host, unsolicited responses and S(ABORT) outside a chain', async () => {
    const c = card();
    await talk(c, '00 c3 01 02 c0', '00 82 00 82');
    await talk(c, '00 e3 01 02 e0', '00 82 00 82');
    await talk(c, '00 e1 01 20 c0', '00 82 00 82');
    await talk(c, '00 c2 00 c2', '00 82 00 82');
  });

  it('adopts IFSD from S(IFS request) and resets on S(RESYNCH request)', async () => {
    const c = card();
    await talk(c, '00 c1 01 fe 3e', '00 e1 01 fe 1e');
    assert.equal(c.state.ifsd, 254);
    await talk(c, '00 00 01 05 04', '00 00 01 05 04');
    assert.deepEqual([c.state.ns, c.state.nr], [1, 1]);
    await talk(c, '00 c0 00 c0', '00 e0 00 e0');
    assert.deepEqual(c.state, { ns: 0, nr: 0, ifsc: 4, ifsd: 2, replies: 3 });
  });

  it('aborts a chain on S(ABORT request) from the host', async () => {
    const c = card();
    await talk(c, '00 20 04 01020304 20', '00 90 00 90');
    await talk(c, '00 c2 00 c2', '00 e2 00 e2');
    await talk(c, '00 40 01 05 44', '00 00 01 05 04', 'the next command starts afresh');
    assertBytes(c.commands[0], bytesOf('05'));
  });

  it('plays its faults on the wire', async () => {
    const c = card({
      faults: [
        { kind: 'garble', at: 1, how: 'edc' },
        { kind: 'garble', at: 2, how: 'len' },
        { kind: 'garble', at: 3, how: 'truncate' },
        { kind: 'garble', at: 4, how: 'pcb' },
        { kind: 'garble', at: 5, how: 'nad' },
        { kind: 'lose', at: 6 },
        { kind: 'wtx', at: 7, multiplier: 9 },
        { kind: 'ifs-request', at: 9, ifsc: 16 },
        { kind: 'bad-seq', at: 11 },
      ],
    });
    await talk(c, '00 00 01 05 04', '00 00 01 05 05', 'EDC flipped');
    await talk(c, '00 82 00 82', '00 00 02 05 04', 'LEN + 1');
    await talk(c, '00 82 00 82', '00 00 01 05', 'last byte gone');
    await talk(c, '00 82 00 82', '00 1f 01 05 1b', 'RFU bits, LRC recomputed');
    await talk(c, '00 82 00 82', '12 00 01 05 16', 'another NAD, LRC recomputed');
    await talk(c, '00 82 00 82', null, 'lost');
    await talk(c, '00 40 01 06 47', '00 c3 01 09 cb', 'S(WTX request 9)');
    await talk(c, '00 e3 01 09 eb', '00 40 01 06 47', 'the held I-block after the response');
    await talk(c, '00 00 01 07 06', '00 c1 01 10 d0', 'S(IFS request 16)');
    await talk(c, '00 e1 01 10 f0', '00 00 01 07 06', 'the held I-block');
    assert.equal(c.state.ifsc, 16);
    await talk(c, '00 40 01 08 49', '00 00 01 08 09', 'I(1) sent as I(0)');
    assert.deepEqual(c.unfiredFaults(), []);
  });

  it('repeats its S(WTX request) until it gets the matching response', async () => {
    const c = card({ faults: [{ kind: 'wtx', at: 1, multiplier: 3 }] });
    await talk(c, '00 00 01 05 04', '00 c3 01 03 c1');
    await talk(c, '00 82 00 82', '00 c3 01 03 c1', 'an R-block is not the response');
    await talk(c, '00 e3 01 04 e6', '00 c3 01 03 c1', 'the wrong multiplier is not the response');
    await talk(c, '00 e3 01 03 e1', '00 00 01 05 04');
  });

  it('refuses scripts that cannot apply', async () => {
    const c = card({ faults: [{ kind: 'wtx', at: 1, multiplier: 2 }] });
    await assertRejects(c.receiveBlock(bytesOf('00 c1 01 fe 3e')), Error);
    const d = card({ faults: [{ kind: 'bad-seq', at: 1 }] });
    await assertRejects(d.receiveBlock(bytesOf('00 20 04 01020304 20')), Error);
  });
});
