import { assert, assertBytes, bytesOf, describe, hexOf, it } from '../../../harness.ts';
import { VirtualOpenPgpCard, type VirtualOpenPgpCardOptions } from '../../../fakes/virtual-openpgp-card.ts';

/**
 * The virtual OpenPGP card at APDU level: it must refuse what a real card refuses, so that a
 * client which gets the order, the passwords or the framing wrong fails in tests too.
 */
const utf8hex = (s: string): string => hexOf(new TextEncoder().encode(s));
const lc = (hex: string): string => (hex.length / 2).toString(16).padStart(2, '0');

class Driver {
  readonly card: VirtualOpenPgpCard;
  constructor(opts: VirtualOpenPgpCardOptions = {}) {
    this.card = new VirtualOpenPgpCard(opts);
  }
  /** Send hex, return "data|SW". */
  async send(hex: string): Promise<{ data: string; sw: string }> {
    const r = await this.card.handle(bytesOf(hex));
    return { data: hexOf(r.subarray(0, -2)), sw: hexOf(r.subarray(-2)) };
  }
  async sw(hex: string): Promise<string> {
    return (await this.send(hex)).sw;
  }
  select = (): Promise<string> => this.sw('00a4040006d2760001240100');
  verify = (ref: '81' | '82' | '83', pin: string): Promise<string> => this.sw(`002000${ref}${lc(utf8hex(pin))}${utf8hex(pin)}`);
  putData = (tag: string, hex: string): Promise<string> => this.sw(`00da${tag}${lc(hex)}${hex}`);
  async c4(): Promise<string> {
    return (await this.send('00ca00c400')).data;
  }
  /** PW3, ECDSA P-256 on C1 and ECDH P-256 on C2, both keys generated. */
  async withKeys(): Promise<void> {
    assert.equal(await this.select(), '9000');
    assert.equal(await this.verify('83', '12345678'), '9000');
    assert.equal(await this.putData('00c1', '132a8648ce3d030107'), '9000');
    assert.equal(await this.putData('00c2', '122a8648ce3d030107'), '9000');
    assert.equal(await this.sw('0047800002b60000'), '9000');
    assert.equal(await this.sw('0047800002b80000'), '9000');
  }
}

const HASH32 = '11'.repeat(32);
const cds = `002a9e9a20${HASH32}40`;
/** PSO:DECIPHER with A6 { 7F49 { 86 <65-byte point> } } and Le. */
const decipher = (point: string): string => `002a808648a6467f49438641${point}00`;

describe('virtual OpenPGP card: selection and passwords', () => {
  it('nothing but SELECT before the application is selected; a wrong AID is 6A 82', async () => {
    const d = new Driver();
    assert.equal(await d.sw('00ca006e00'), '6d00');
    assert.equal(await d.sw('00a4040006d2760001240200'), '6a82');
    assert.equal(await d.sw('00ca006e00'), '6d00');
    assert.equal(await d.select(), '9000');
    assert.equal((await d.send('00ca006e00')).data.slice(0, 2), '6e');
    assert.equal(await d.sw('80ca006e00'), '6e00', 'class 80 is not the OpenPGP class');
  });

  it('PW1: 63 Cx counts down, 63 C0 then 69 83 even for the right PIN; C4 agrees; lengths outside 6..127 cost nothing', async () => {
    const d = new Driver();
    await d.select();
    assert.equal(await d.verify('81', '12345'), '6a80', 'too short');
    assert.equal((await d.c4()).slice(8), '030003');
    assert.equal(await d.verify('81', '000000'), '63c2');
    assert.equal(await d.verify('82', '000000'), '63c1', 'PW1 81 and 82 share one counter');
    assert.equal((await d.c4()).slice(8), '010003');
    assert.equal(await d.verify('81', '000000'), '63c0');
    assert.equal(await d.verify('81', '123456'), '6983');
    assert.equal(await d.sw('00200081'), '6983', 'status of a blocked PIN');
    assert.equal(d.card.retries.pw1, 0);
    assert.equal(d.card.retries.pw3, 3, 'PW3 has its own counter');
  });

  it('YubiKey style: a wrong PIN is 69 82 and C4 holds the count; a right one resets it', async () => {
    const d = new Driver({ wrongPinStatus: '6982' });
    await d.select();
    assert.equal(await d.verify('83', 'wrongpin'), '6982');
    assert.equal((await d.c4()).slice(8), '030002');
    assert.equal(await d.verify('83', '12345678'), '9000');
    assert.equal((await d.c4()).slice(8), '030003');
  });

  it('VERIFY without data tells the status; P1 FF forgets; SELECT and a power cycle forget every password', async () => {
    const d = new Driver();
    await d.select();
    assert.equal(await d.sw('00200082'), '63c3');
    assert.equal(await d.verify('82', '123456'), '9000');
    assert.equal(await d.sw('00200082'), '9000');
    assert.equal(await d.sw('0020ff82'), '9000');
    assert.equal(await d.sw('00200082'), '63c3');
    assert.equal(await d.verify('82', '123456'), '9000');
    assert.equal(await d.select(), '9000');
    assert.isFalse(d.card.isVerified(0x82), 'SELECT resets the security status');
    assert.equal(await d.verify('83', '12345678'), '9000');
    d.card.reset();
    assert.equal(await d.sw('00200083'), '6d00', 'after a power cycle the application must be selected again');
    await d.select();
    assert.equal(await d.sw('00200083'), '63c3');
  });

  it('RESET RETRY COUNTER: with the resetting code (its own counter), or after PW3', async () => {
    const d = new Driver({ resettingCode: 'my reset code' });
    await d.select();
    for (let i = 0; i < 3; i++) await d.verify('81', '000000');
    assert.equal(d.card.retries.pw1, 0);
    // the card takes the first 13 bytes (its code's length) as the code: 'wrong resetco' costs a try
    assert.equal(await d.sw(`002c0081${lc(utf8hex('wrong resetcode654321'))}${utf8hex('wrong resetcode654321')}`), '63c2');
    assert.equal(d.card.retries.rc, 2);
    assert.equal(d.card.retries.pw1, 0, 'still blocked');
    assert.equal(await d.sw(`002c0081${lc(utf8hex('my reset code654321'))}${utf8hex('my reset code654321')}`), '9000');
    assert.deepEqual(d.card.retries, { pw1: 3, rc: 3, pw3: 3 });
    assert.equal(await d.verify('81', '654321'), '9000');
    assert.equal(await d.sw(`002c0281${lc(utf8hex('111111'))}${utf8hex('111111')}`), '6982', 'P1 02 needs PW3');
    await d.verify('83', '12345678');
    assert.equal(await d.sw(`002c0281${lc(utf8hex('111111'))}${utf8hex('111111')}`), '9000');
    assert.equal(await d.verify('82', '111111'), '9000');
  });
});

describe('virtual OpenPGP card: keys', () => {
  it('GENERATE needs PW3 and EC attributes; changing the attributes deletes the key; reading the public key is free', async () => {
    const d = new Driver();
    await d.select();
    assert.equal(await d.sw('0047800002b60000'), '6982');
    await d.verify('83', '12345678');
    assert.equal(await d.sw('0047800002b60000'), '6a81', 'RSA 2048 (the default attributes) is not generated here');
    assert.equal(await d.putData('00c1', '122a8648ce3d030107'), '6a80', 'ECDH on the signature key');
    assert.equal(await d.putData('00c2', '132a8648ce3d030107'), '6a80', 'ECDSA on the decryption key');
    assert.equal(await d.putData('00c1', '132a8648ce3d030107'), '9000');
    const gen = await d.send('0047800002b60000');
    assert.equal(gen.sw, '9000');
    assert.match(gen.data, /^7f4943864104/, '7F49 { 86 <uncompressed P-256 point> }');
    assert.equal(await d.select(), '9000');
    const read = await d.send('0047810002b60000');
    assert.equal(read.data, gen.data, 'GENERATE 81 reads the same key, no password needed');
    assert.equal(await d.sw('0047810002b80000'), '6a88', 'no decryption key');
    await d.verify('83', '12345678');
    assert.equal(await d.putData('00c1', '132b81040022'), '9000');
    assert.equal(await d.sw('0047810002b60000'), '6a88', 'a new algorithm deletes the old key');
    assert.equal(await d.sw('0047800002b6'), '6700', 'GENERATE without Le');
  });

  it('a card offering only P-256 refuses P-384 attributes', async () => {
    const d = new Driver({ curves: ['P-256'] });
    await d.select();
    await d.verify('83', '12345678');
    assert.equal(await d.putData('00c1', '132b81040022'), '6a80');
  });

  it('PSO:CDS: PW1 (81) only, the signature key only; "valid once" clears 81 after each signature', async () => {
    const d = new Driver();
    await d.withKeys();
    assert.equal(await d.sw(cds), '6982');
    await d.verify('82', '123456');
    assert.equal(await d.sw(cds), '6982', 'PW1 82 does not allow signing');
    await d.verify('81', '123456');
    const r = await d.send(cds);
    assert.equal(r.sw, '9000');
    assert.lengthOf(r.data, 128, 'r ‖ s, 64 bytes');
    assert.equal(await d.sw(cds), '9000', 'several signatures');
    assert.equal(await d.sw(`002a9e9a10${'11'.repeat(16)}40`), '6700', 'a 16-byte hash');
    d.card.setPw1ValidOnce(true);
    assert.equal(await d.sw(cds), '9000');
    assert.equal(await d.sw(cds), '6982', 'the second signature needs another VERIFY');
    assert.equal(d.card.signatureCount, 3);
  });

  it('PSO:DECIPHER: PW1 (82) only, the decryption key only, a valid point of its curve only', async () => {
    const d = new Driver();
    await d.select();
    const sigOnly = new Driver();
    await sigOnly.select();
    await d.withKeys();
    const point = d.card.publicPoint('signature')!; // any valid P-256 point will do as the other party's
    const pointHex = hexOf(point);
    assert.equal(await d.sw(decipher(pointHex)), '6982');
    await d.verify('81', '123456');
    assert.equal(await d.sw(decipher(pointHex)), '6982', 'PW1 81 does not allow deciphering');
    await d.verify('82', '123456');
    const r = await d.send(decipher(pointHex));
    assert.equal(r.sw, '9000');
    assert.lengthOf(r.data, 64, 'X of P-256');
    const off = point.slice();
    off[64] ^= 1;
    assert.equal(await d.sw(decipher(hexOf(off))), '6a80', 'not on the curve');
    assert.equal(await d.sw(`002a80860a${'a608'}7f4905860304${'0102'}00`), '6a80', 'a malformed cipher DO');
    // a card whose decryption slot is still RSA, with PW1 82 verified
    await sigOnly.verify('82', '123456');
    assert.equal(await sigOnly.sw(decipher(pointHex)), '6a88');
  });
});

describe('virtual OpenPGP card: data objects', () => {
  it('private DOs: 0101/0102 readable always; 0101/0103 written after PW1 82, 0102/0104 after PW3; 0103/0104 read likewise', async () => {
    const d = new Driver();
    await d.select();
    assert.equal(await d.putData('0101', 'aa'), '6982');
    await d.verify('81', '123456');
    assert.equal(await d.putData('0101', 'aa'), '6982', 'PW1 81 is not PW1 82');
    await d.verify('82', '123456');
    assert.equal(await d.putData('0101', 'aa'), '9000');
    assert.equal(await d.putData('0103', 'cc'), '9000');
    assert.equal(await d.putData('0102', 'bb'), '6982');
    assert.equal(await d.putData('0104', 'dd'), '6982');
    await d.verify('83', '12345678');
    assert.equal(await d.putData('0102', 'bb'), '9000');
    assert.equal(await d.putData('0104', 'dd'), '9000');
    await d.select();
    assert.equal((await d.send('00ca010100')).data, 'aa');
    assert.equal((await d.send('00ca010200')).data, 'bb');
    assert.equal(await d.sw('00ca010300'), '6982');
    assert.equal(await d.sw('00ca010400'), '6982');
    await d.verify('82', '123456');
    assert.equal((await d.send('00ca010300')).data, 'cc');
    assert.equal(await d.sw('00ca010400'), '6982');
    await d.verify('83', '12345678');
    assert.equal((await d.send('00ca010400')).data, 'dd');
  });

  it('a private DO holds at most the C0 maximum; the certificate at most its own', async () => {
    const d = new Driver({ maxSpecialDo: 100, maxCertificate: 300 });
    await d.select();
    await d.verify('82', '123456');
    assert.equal(await d.putData('0101', '00'.repeat(100)), '9000');
    assert.equal(await d.putData('0101', '00'.repeat(101)), '6700');
    assert.equal(await d.putData('7f21', '00'.repeat(200)), '6982', 'the certificate needs PW3');
    await d.verify('83', '12345678');
    assert.equal(await d.sw(`00da7f2100012c${'00'.repeat(300)}`), '9000');
    assert.equal(await d.sw(`00da7f2100012d${'00'.repeat(301)}`), '6700');
  });

  it('Le rules: data-returning commands need Le, others must have none', async () => {
    const d = new Driver();
    await d.select();
    assert.equal(await d.sw('00ca006e'), '6700', 'GET DATA without Le');
    assert.equal(await d.sw(`0020008106${utf8hex('123456')}00`), '6700', 'VERIFY with Le');
    assert.equal(await d.sw('0084000000'), '9000', 'GET CHALLENGE 256');
    assert.equal(await d.sw('00840000'), '6700');
  });
});

describe('virtual OpenPGP card: framing', () => {
  it('command chaining: pieces collected; a change of INS in the middle is 68 83; off is 68 84', async () => {
    const d = new Driver();
    await d.select();
    await d.verify('82', '123456');
    assert.equal(await d.sw(`10da010102${'aabb'}`), '9000');
    assert.equal(await d.sw(`00da010102${'ccdd'}`), '9000');
    assert.equal((await d.send('00ca010100')).data, 'aabbccdd');
    assert.equal(await d.sw(`10da010102${'aabb'}`), '9000');
    assert.equal(await d.sw('00ca010100'), '6883');
    const off = new Driver({ chaining: false });
    await off.select();
    assert.equal(await off.sw(`10da010102${'aabb'}`), '6884');
  });

  it('a short-only card: extended APDUs are 67 00; long answers come as 61 xx and GET RESPONSE', async () => {
    const d = new Driver({ extendedLength: false });
    await d.select();
    assert.equal(await d.sw('00ca006e000000'), '6700');
    await d.verify('83', '12345678');
    const cert = '5a'.repeat(600);
    for (let at = 0; at < 600; at += 255) {
      const piece = cert.slice(2 * at, 2 * Math.min(600, at + 255));
      assert.equal(await d.sw(`${at + 255 < 600 ? '10' : '00'}da7f21${lc(piece)}${piece}`), '9000');
    }
    const first = await d.send('00ca7f2100');
    assert.equal(first.sw, '6100', '256 or more left');
    let got = first.data;
    let sw = first.sw;
    while (sw.startsWith('61')) {
      const r = await d.send(`00c00000${sw.slice(2)}`);
      got += r.data;
      sw = r.sw;
    }
    assert.equal(sw, '9000');
    assertBytes(bytesOf(got), bytesOf(cert));
    assert.equal(await d.sw('00c0000010'), '6985', 'nothing left to GET RESPONSE');
  });

  it('an extended card cuts answers at its maximum response too', async () => {
    const d = new Driver({ maxResponse: 100 });
    await d.select();
    const r = await d.send('00ca006e000000');
    assert.lengthOf(r.data, 200);
    assert.match(r.sw, /^61/);
  });
});

describe('virtual OpenPGP card: factory reset', () => {
  it('TERMINATE DF needs PW3 (or PW3 blocked); then only ACTIVATE FILE works, and it restores the factory state', async () => {
    const d = new Driver();
    await d.withKeys();
    await d.verify('82', '123456');
    await d.putData('0101', 'aa');
    await d.select();
    assert.equal(await d.sw('00e60000'), '6982');
    await d.verify('83', '12345678');
    assert.equal(await d.sw('00e60000'), '9000');
    assert.equal(await d.select(), '6285', 'terminated');
    assert.equal(await d.sw('00ca006e00'), '6985');
    assert.equal(await d.sw('00440000'), '9000');
    assert.equal(await d.select(), '9000');
    assert.equal((await d.send('00ca010100')).data, '', 'private DO gone');
    assert.equal(await d.sw('0047810002b60000'), '6a88', 'keys gone');
    assert.equal(await d.verify('83', '12345678'), '9000', 'default admin PIN');
  });

  it('with PW3 blocked, TERMINATE DF needs no password', async () => {
    const d = new Driver();
    await d.select();
    for (let i = 0; i < 3; i++) await d.verify('83', '00000000');
    assert.equal(d.card.retries.pw3, 0);
    assert.equal(await d.sw('00e60000'), '9000');
    assert.equal(await d.sw('00440000'), '9000');
    await d.select();
    assert.equal(d.card.retries.pw3, 3);
  });
});
