import { describe, it, assert } from '../harness.ts';
import { errorForStatus, ApduError, PinError } from '../../src/card/errors.ts';

describe('card errors', () => {
  it('keep only CLA INS P1 P2 of the command, never its data (a PIN)', () => {
    const pin = new TextEncoder().encode('123456');
    const cmd = { cla: 0, ins: 0x20, p1: 0, p2: 0x80, data: pin, ne: 256 };
    for (const sw of [0x63c2, 0x6a80]) {
      const e = errorForStatus(sw, cmd);
      assert.instanceOf(e, ApduError);
      assert.deepEqual(e.command, { cla: 0, ins: 0x20, p1: 0, p2: 0x80 });
      assert.notInclude(JSON.stringify(e.command), '49');
    }
    const pe = errorForStatus(0x63c2, cmd) as PinError;
    assert.instanceOf(pe, PinError);
    assert.equal(pe.retriesLeft, 2);
  });
});
