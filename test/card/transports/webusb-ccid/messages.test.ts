import { describe, it, assert, assertBytes, assertThrows } from '../../../harness.ts';
import { fromHex } from '../../../../src/bytes/index.ts';
import { decodeReply, encodeMessage } from '../../../../src/card/transports/webusb-ccid/messages.ts';
import { CcidProtocolError, ccidCommandError, CcidHardwareError, CommandNotSupportedError, IccMuteError, XfrParityError } from '../../../../src/card/transports/webusb-ccid/errors.ts';

const h = (s: string): Uint8Array => fromHex(s, { separators: true });

describe('webusb-ccid/messages', () => {
  it('PC_to_RDR_XfrBlock: type, dwLength LE, slot, seq, bBWI, wLevelParameter LE, data', () => {
    assertBytes(encodeMessage(0x6f, 0, 5, [0, 0x01, 0x00], h('aabbcc')), h('6f 03000000 00 05 00 01 00 aabbcc'));
    assertBytes(encodeMessage(0x62, 0, 0xff, [0, 0, 0]), h('62 00000000 00 ff 00 00 00'));
    const big = encodeMessage(0x6f, 0, 1, [0, 0x10, 0], new Uint8Array(0x0102));
    assertBytes(big.subarray(0, 10), h('6f 02010000 00 01 00 10 00'));
  });

  it('RDR_to_PC_DataBlock: status split into ICC and command status', () => {
    const r = decodeReply(h('80 02000000 00 07 42 fe 01 9000'));
    assert.deepEqual(
      { type: r.type, seq: r.seq, iccStatus: r.iccStatus, commandStatus: r.commandStatus, error: r.error, chain: r.specific },
      { type: 0x80, seq: 7, iccStatus: 2, commandStatus: 1, error: 0xfe, chain: 1 },
    );
    assertBytes(r.data, h('9000'));
    const wtx = decodeReply(h('80 00000000 00 08 80 05 00'));
    assert.equal(wtx.commandStatus, 2);
    assert.equal(wtx.error, 5);
  });

  it('refuses a reply whose dwLength does not match', () => {
    assertThrows(() => decodeReply(h('80 03000000 00 07 00 00 00 9000')), CcidProtocolError);
    assertThrows(() => decodeReply(h('80 01000000 00 07 00 00 00 9000')), CcidProtocolError);
    assertThrows(() => decodeReply(h('80 00000000 00 07 00 00')), CcidProtocolError);
  });

  it('maps bError to typed errors', () => {
    assert.instanceOf(ccidCommandError(0x6f, 0x40, 0xfe), IccMuteError);
    assert.instanceOf(ccidCommandError(0x6f, 0x40, 0xfd), XfrParityError);
    assert.instanceOf(ccidCommandError(0x6f, 0x40, 0xfc), XfrParityError);
    assert.instanceOf(ccidCommandError(0x6f, 0x40, 0xfb), CcidHardwareError);
    const ns = ccidCommandError(0x6b, 0x40, 0x00);
    assert.instanceOf(ns, CommandNotSupportedError);
    assert.equal(ns.code, 'command-not-supported');
    const bad = ccidCommandError(0x6f, 0x40, 0x08);
    assert.equal(bad.code, 'bad-parameter');
    assert.match(bad.message, /offset 8/);
    const busy = ccidCommandError(0x6f, 0x40, 0xe0);
    assert.equal(busy.code, 'slot-busy');
    assert.equal(busy.bError, 0xe0);
    assert.equal(busy.bStatus, 0x40);
    assert.equal(busy.messageType, 0x6f);
  });
});
