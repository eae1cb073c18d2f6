import { describe, it, assert } from '../../harness.ts';
import { describeReturnCode, RETURN_CODES, RC, REASON, codeName, Command, Query, KeyStorageOp, KNOWN_CODES, isStateChanging, isQuery, isKeyStorage } from '../../../src/cryptounit/protocol/index.ts';

/** Every rc/reason row of DESIGN §3.9, typed in by hand. */
const DESIGN_TABLE: [number, number][] = [
  [3, 0], [3, 14], [3, 16], [3, 17], [7, 0], [7, 40], [32, 0], [32, 32], [33, 0], [80, 0], [80, 80], [84, 0], [96, 0],
  [101, 48], [102, 0], [163, 0], [179, 0], [192, 0], [193, 0], [208, 0], [209, 36], [209, 57], [209, 58], [209, 66],
  [209, 76], [256, 38], [257, 0], [261, 39],
];

describe('return codes', () => {
  it('every code of DESIGN §3.9 has its own plain message and a remedy', () => {
    const seen = new Set<string>();
    for (const [rc, reason] of DESIGN_TABLE) {
      const d = describeReturnCode(rc, reason);
      assert.equal(d.rc, rc);
      assert.isAbove(d.message.length, 15, `${rc}/${reason}`);
      assert.isAbove(d.remedy.length, 10, `${rc}/${reason}`);
      assert.notMatch(d.message, /unknown return code/, `${rc}/${reason} is in the table`);
      if (reason !== 0) assert.equal(d.reason, reason, `${rc}/${reason} has a specific entry`);
      seen.add(d.message);
    }
    assert.isAtLeast(seen.size, DESIGN_TABLE.length - 4, 'messages are specific, not one text for all');
    assert.match(describeReturnCode(999, 1).message, /unknown return code 999\/1/);
    assert.equal(RC.BAD_COUNTER, 163);
    assert.equal(REASON.DOMAIN_INSTANCE, 17);
    assert.isAtLeast(RETURN_CODES.length, DESIGN_TABLE.length);
  });

  it('code classes and names', () => {
    for (const v of Object.values(Command)) assert.isTrue(isStateChanging(v) && !isQuery(v) && !isKeyStorage(v));
    for (const v of Object.values(Query)) assert.isTrue(isQuery(v) && !isStateChanging(v));
    for (const v of Object.values(KeyStorageOp)) assert.isTrue(isKeyStorage(v) && !isStateChanging(v));
    assert.equal(KNOWN_CODES.size, 19);
    assert.equal(codeName(0x0d), 'COMMIT_WK (0x0D)');
    assert.equal(codeName(0x00010030), 'DOMAIN_INFO (0x00010030)');
  });
});
