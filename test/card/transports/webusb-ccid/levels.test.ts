import { describe, it, assert, assertBytes, after } from '../../../harness.ts';
import { concat, fromHex } from '../../../../src/bytes/index.ts';
import { encodeCommand, parseCommand } from '../../../../src/card/apdu.ts';
import { CardChannel } from '../../../../src/card/channel.ts';
import type { CcidReader } from '../../../../src/card/transports/webusb-ccid/index.ts';
import { echo, generatedBytes, pattern, READERS, rig, type Rig } from './helpers.ts';

const SIZES = [1, 255, 256, 1000, 4000];
const h = (s: string): Uint8Array => fromHex(s, { separators: true });
const ok = h('9000');

/** The XfrBlock commands the host sent: [bBWI, wLevelParameter, data]. */
function xfrBlocks(r: Rig): { bwi: number; level: number; data: Uint8Array }[] {
  return r.dev.sent.filter((m) => m[0] === 0x6f).map((m) => ({ bwi: m[7], level: m[8] | (m[9] << 8), data: m.subarray(10) }));
}

const expectations: Record<string, { level: string; maxMessage: number; interrupt: boolean; extended: boolean }> = {
  yubikey: { level: 'extended-apdu', maxMessage: 3072, interrupt: true, extended: true },
  nitrokey3: { level: 'extended-apdu', maxMessage: 3072, interrupt: false, extended: true },
  cherry: { level: 'short-apdu', maxMessage: 271, interrupt: true, extended: false },
  scr3310: { level: 'tpdu', maxMessage: 271, interrupt: true, extended: true },
  spr532: { level: 'tpdu', maxMessage: 270, interrupt: true, extended: true },
};

describe('webusb-ccid: every exchange level with the echo card', () => {
  const open: CcidReader[] = [];
  after(async () => {
    for (const r of open) await r.close();
  });

  for (const name of READERS) {
    it(`${name}: reader facts from the descriptor`, async () => {
      const r = await rig(name);
      open.push(r.reader);
      const e = expectations[name];
      assert.equal(r.reader.reader.kind, 'webusb-ccid');
      assert.equal(r.reader.reader.level, e.level);
      assert.equal(r.reader.reader.maxMessageLength, e.maxMessage);
      assert.equal(r.reader.reader.hasInterruptEndpoint, e.interrupt);
      assert.equal(r.reader.reader.extendedApdu, e.extended);
      assert.equal(r.reader.reader.vendorId, r.dev.vendorId);
      assert.isAbove(r.reader.atr.length, 1);
      assert.isTrue(r.reader.cardPresent);
    });

    for (const n of SIZES) {
      it(`${name}: ${n}-byte command and response (ECHO), ${n}-byte response (GENERATE), ${n}-byte command (PUT RECORD)`, async () => {
        const r = await rig(name);
        open.push(r.reader);
        const d = pattern(n, n & 0xff);
        assertBytes(await r.reader.transmit(echo(d)), concat(d, ok), 'echo');
        assertBytes(await r.reader.transmit(encodeCommand({ cla: 0x80, ins: 0xe2, p1: n >> 8, p2: n & 0xff, ne: n })), concat(generatedBytes(n), ok), 'generate');
        assertBytes(await r.reader.transmit(encodeCommand({ cla: 0x80, ins: 0xda, p1: 0, p2: 0, data: d })), ok, 'put record');
        assertBytes(await r.reader.transmit(encodeCommand({ cla: 0x80, ins: 0xca, p1: 0, p2: 0, ne: n })), concat(d, ok), 'get record');

        const blocks = xfrBlocks(r);
        const room = expectations[name].maxMessage - 10;
        for (const b of blocks) assert.isAtMost(b.data.length, room, 'every message fits the reader');
        if (name === 'cherry') {
          for (const b of blocks) assert.isFalse(parseCommand(b.data).extended, 'only short APDUs reach a short-APDU reader');
          if (n > 255) assert.isTrue(blocks.some((b) => (b.data[0] & 0x10) !== 0), 'long commands went as ISO chains');
          if (n > 256) assert.isTrue(blocks.some((b) => b.data[1] === 0xc0), 'long responses came through GET RESPONSE');
        }
        if (name === 'yubikey' || name === 'nitrokey3') {
          const chained = blocks.some((b) => b.level !== 0);
          // ECHO of 4000 = 4009-byte APDU > 3062: CCID chaining 1 then 2; its 4002-byte response: 1 then 0x10.
          assert.equal(chained, n === 4000);
          if (n === 4000) {
            assert.deepEqual(
              blocks.slice(0, 3).map((b) => b.level),
              [0x01, 0x02, 0x10],
            );
            assert.equal(blocks[0].data.length, 3062);
            assert.equal(blocks[1].data.length, 4009 - 3062);
            assert.equal(blocks[2].data.length, 0);
          }
          assert.isFalse(blocks.some((b) => (b.data[0] & 0x10) !== 0), 'no ISO chaining at extended level');
        }
        if (name === 'scr3310' || name === 'spr532') {
          // T=1 blocks: NAD 00, LEN <= IFSC/IFSD (254 here), LRC.
          for (const b of blocks) {
            assert.equal(b.data[0], 0x00, 'NAD');
            assert.equal(b.data.length, 3 + b.data[2] + 1);
            let lrc = 0;
            for (const x of b.data) lrc ^= x;
            assert.equal(lrc, 0, 'LRC');
          }
        }
      });
    }
  }

  it('TPDU (SCR3310): SetParameters from the ATR, then S(IFS request) with dwMaxIFSD 252', async () => {
    const r = await rig('scr3310');
    open.push(r.reader);
    // Fake ATR: TA3 = FE, TB3 = 45 (BWI 4, CWI 5), no TA1 → Fi/Di 11; bmTCCKST1 10 (LRC, direct).
    assertBytes(r.dev.parameters!, h('11 10 00 45 00 fe 00'));
    // NAD 00, PCB C1 (S(IFS request)), LEN 01, IFSD FC, LRC 00^C1^01^FC = 3C.
    assertBytes(xfrBlocks(r)[0].data, h('00 c1 01 fc 3c'));
    assert.equal(r.reader.t1Session!.currentIfsd, 252);
    assert.equal(r.reader.t1Session!.currentIfsc, 254);
  });

  it('TPDU (SPR532, vendor class 0xFF): IFSD 254, CRC when the ATR asks for it', async () => {
    const r = await rig('spr532', { device: { t1: { edc: 'crc', ifsc: 128 } } });
    open.push(r.reader);
    assertBytes(r.dev.parameters!, h('11 11 00 45 00 80 00'));
    assert.equal(r.reader.reader.interfaceClass, 0xff);
    assert.equal(r.reader.t1Session!.currentIfsd, 254);
    assert.equal(r.reader.t1Session!.currentIfsc, 128);
    const d = pattern(600, 9);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    // 600 + 9 APDU bytes in I-blocks of at most 128 (CRC: 2 epilogue bytes).
    const iBlocks = xfrBlocks(r).filter((b) => (b.data[1] & 0x80) === 0);
    assert.equal(iBlocks.length, Math.ceil(609 / 128));
    for (const b of iBlocks) assert.equal(b.data.length, 3 + b.data[2] + 2);
  });

  it('the same APDUs through a CardChannel over each reader give the same answers', async () => {
    for (const name of READERS) {
      const r = await rig(name);
      open.push(r.reader);
      const ch = new CardChannel(r.reader);
      const d = pattern(1500, 3);
      assertBytes(await ch.sendChecked({ cla: 0x80, ins: 0xee, p1: 0, p2: 0, data: d, ne: 65536 }), d, name);
      assertBytes(await ch.sendChecked({ cla: 0x80, ins: 0xe2, p1: 0, p2: 0x20, ne: 0x10 }), generatedBytes(0x20), `${name} 6Cxx`);
    }
  });
});
