/**
 * The PIV client and the virtual PIV card through the fake WebUSB CCID readers, at every
 * exchange level: extended APDU (YubiKey 5, Nitrokey 3), short APDU (Cherry; the card then
 * takes short APDUs only), TPDU with T=1 run by the host (SCR3310, SPR532).
 */
import { assert, assertBytes, describe, it, readSharedText } from '../../../harness.ts';
import { ManagementKey, PivSession } from '../../../../src/card/applets/piv/index.ts';
import {
  digest, ecdhSharedSecret, ecdsaVerify, exportPublicPoint, generateEcKeyPair, importPublicPoint,
} from '../../../../src/crypto/index.ts';
import { loadReaderDump, type ReaderName } from '../../../fakes/ccid-readers.ts';
import { pivRig } from '../../../fakes/piv/rig.ts';

const c = globalThis.crypto;
const READERS: ReaderName[] = ['yubikey', 'nitrokey3', 'cherry', 'scr3310', 'spr532'];

describe('PIV through the fake CCID readers', () => {
  for (const name of READERS) {
    it(`${name}: management key, P-384 keys, a signature WebCrypto verifies, ECDH, a 2,500-byte object`, async () => {
      const rig = await pivRig({ reader: await loadReaderDump(name, readSharedText) });
      try {
        const s = await PivSession.select(rig.channel, { crypto: c });
        await s.authenticate(ManagementKey.fromHex('010203040506070801020304050607080102030405060708'));
        const q9c = await s.generateEcKey(0x9c, 'P-384', { pinPolicy: 'once' });
        const q9d = await s.generateEcKey(0x9d, 'P-384');
        await s.verifyPin('123456');
        const msg = c.getRandomValues(new Uint8Array(300));
        const sig = await s.sign(0x9c, 'P-384', await digest(c, 'SHA-384', msg));
        assert.isTrue(await ecdsaVerify(c, 'P-384', await importPublicPoint(c, 'P-384', q9c, 'ECDSA'), msg, sig));
        const eph = await generateEcKeyPair(c, 'P-384', 'ECDH');
        const z = await s.ecdh(0x9d, 'P-384', await exportPublicPoint(c, eph.publicKey));
        assertBytes(z, await ecdhSharedSecret(c, 'P-384', eph.privateKey, await importPublicPoint(c, 'P-384', q9d, 'ECDH')));
        const big = Uint8Array.from({ length: 2500 }, (_, i) => (i * 7 + 3) & 0xff);
        await s.putData(0x5fc10d, big);
        assertBytes((await s.getData(0x5fc10d))!, big);
        assert.deepEqual(rig.device!.unfiredFaults(), []);
      } finally {
        await rig.transport.close();
      }
    });
  }
});
