/**
 * Conformance, DESIGN §3.4 signature table and §3.3 step 9: every row in imprint mode and
 * after it, with too few, exactly enough and extra signatures; the four stages (193, 257,
 * 192, 208) and their order; every signature present verified, imprint mode included.
 */
import { describe, it, assert, before } from '../../harness.ts';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { concat, u32be } from '../../../src/bytes/index.ts';
import { CURVES, ecdsaSign, type CurveName } from '../../../src/crypto/index.ts';
import { Command, buildAdminCertificate, encodeSignerInfo, wrapPartForImporter } from '../../../src/cryptounit/protocol/index.ts';
import { signerInfoOf, thresholdPairs, type RequestSpec, type UnitAdmin } from '../../fakes/unit-requests.ts';
import { hex, tlv } from './independent-envelope.ts';
import {
  adminPool, assertNoInternal, assertUnchanged, authenticatedUnit, c, expectOk, expectRc, imprintUnit, randomPart,
  type Fixture,
} from './setup.ts';

type F = Fixture & { admins: UnitAdmin[] };

interface Row {
  name: string;
  /** signatures needed after imprint mode with 4 admins, thresholds 2 (sign) / 3 (revoke) */
  required: number;
  prepare?: (f: F) => Promise<Uint8Array | undefined>;
  spec: (f: F, prepared: Uint8Array | undefined, pool: UnitAdmin[]) => RequestSpec;
}

const ROWS: Row[] = [
  { name: 'DOM_ADMIN_LOGIN', required: 2, spec: (_f, _p, pool) => ({ command: Command.DOM_ADMIN_LOGIN, payload: pool[6].certificate }) },
  { name: 'DOM_ADMIN_LOGOUT', required: 3, spec: (f) => ({ command: Command.DOM_ADMIN_LOGOUT, payload: f.admins[3].ski }) },
  { name: 'DOM_SET_ATTR', required: 2, spec: () => ({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(1, 3) }) },
  { name: 'GEN_IMPORTER', required: 1, spec: () => ({ command: Command.GEN_IMPORTER, payload: u32be(3) }) },
  {
    name: 'COMMIT_WK',
    required: 2,
    prepare: (f) => f.s.loadNew([randomPart(), randomPart()], f.admins[0], 2),
    spec: (_f, vp) => ({ command: Command.COMMIT_WK, payload: vp }),
  },
  {
    name: 'FINALIZE_WK',
    required: 1,
    prepare: async (f) => {
      const vp = await f.s.loadNew([randomPart(), randomPart()], f.admins[0], 2);
      await f.s.commit(vp, f.admins.slice(0, 2));
      return vp;
    },
    spec: (_f, vp) => ({ command: Command.FINALIZE_WK, payload: vp }),
  },
  { name: 'CLEAR_WK', required: 1, spec: () => ({ command: Command.CLEAR_WK }) },
  { name: 'CLEAR_NEXT_WK', required: 1, spec: () => ({ command: Command.CLEAR_NEXT_WK }) },
  { name: 'DOM_ZEROIZE', required: 1, spec: () => ({ command: Command.DOM_ZEROIZE }) },
];

/** A SignerInfo written by hand, with each field replaceable. */
function rawSignerInfo(p: { version?: Uint8Array; sid?: Uint8Array; digest?: Uint8Array; sigAlg?: Uint8Array; sig: Uint8Array }): Uint8Array {
  return tlv(0x30, p.version ?? hex('020103'), tlv(0x80, p.sid ?? new Uint8Array(32)), p.digest ?? ALG.sha512, p.sigAlg ?? ALG.ecdsaSha512, tlv(0x04, p.sig));
}
const ALG = {
  sha256: hex('300b0609608648016503040201'),
  sha512: hex('300b0609608648016503040203'),
  sha512Null: hex('300d06096086480165030402030500'),
  ecdsaSha256: hex('300a06082a8648ce3d040302'),
  ecdsaSha512: hex('300a06082a8648ce3d040304'),
  ecdsaSha512Null: hex('300c06082a8648ce3d0403040500'),
  sha512WithOidParam: hex('30140609608648016503040203' + '06072a8648ce3d0201'),
};

async function rawSig(admin: UnitAdmin, data: Uint8Array): Promise<Uint8Array> {
  return ecdsaSign(c, admin.curve, admin.privateKey, data);
}

function pairFor(curve: CurveName): { digest: Uint8Array; sigAlg: Uint8Array } {
  const i = CURVES[curve];
  return {
    digest: tlv(0x30, oidBytes(i.digestOid)),
    sigAlg: tlv(0x30, oidBytes(i.signatureOid)),
  };
}

function oidBytes(dotted: string): Uint8Array {
  const parts = dotted.split('.').map(Number);
  const body: number[] = [40 * parts[0] + parts[1]];
  for (const n of parts.slice(2)) {
    const stack: number[] = [n & 0x7f];
    let x = Math.floor(n / 128);
    while (x > 0) {
      stack.unshift((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    body.push(...stack);
  }
  return tlv(0x06, Uint8Array.from(body));
}

describe('conformance §3.4: the signature table after imprint mode (4 admins, thresholds 2/3)', () => {
  let pool: UnitAdmin[];
  before(async () => {
    pool = await adminPool();
  });

  for (const row of ROWS) {
    it(`${row.name}: ${row.required - 1} signature(s) is 208 and changes nothing; ${row.required} is enough; ${row.required + 1} is fine`, async () => {
      const f = await authenticatedUnit(4, 2, 3);
      const prepared = await row.prepare?.(f);
      const spec = row.spec(f, prepared, pool);
      await assertUnchanged(f.unit, async () => {
        expectRc(await f.s.run({ ...spec, signers: f.admins.slice(0, row.required - 1) }), 208, 0, 'too few');
        if (row.required > 1) expectRc(await f.s.run({ ...spec, signers: [] }), 208, 0, 'none');
      });
      expectOk(await f.s.run({ ...spec, signers: f.admins.slice(0, row.required) }), 'exactly enough');
      const g = await authenticatedUnit(4, 2, 3);
      const preparedG = await row.prepare?.(g);
      expectOk(await g.s.run({ ...row.spec(g, preparedG, pool), signers: g.admins.slice(0, row.required + 1) }), 'extra');
      assertNoInternal(f);
      assertNoInternal(g);
    });
  }

  it('IMPORT_WK: each inner request needs one signature (208 otherwise); two per part are fine', async () => {
    const f = await authenticatedUnit(4, 2, 3);
    const parts = [randomPart(), randomPart()];
    const spki = await f.s.genImporter(f.admins[0]);
    const envs = [await wrapPartForImporter(c, spki, parts[0]), await wrapPartForImporter(c, spki, parts[1])];
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.send(await f.s.importRequest(envs, [[f.admins[0]], []])), 208, 0, 'second part unsigned');
      expectRc(await f.s.send(await f.s.importRequest(envs, [[], []])), 208, 0, 'no part signed');
    });
    expectOk(await f.s.send(await f.s.importRequest(envs, [[f.admins[0], f.admins[1]], [f.admins[2], f.admins[3]]])), 'extra');
    const g = await authenticatedUnit(4, 2, 3);
    const spki2 = await g.s.genImporter(g.admins[0]);
    const envs2 = [await wrapPartForImporter(c, spki2, parts[0]), await wrapPartForImporter(c, spki2, parts[1])];
    expectOk(await g.s.send(await g.s.importRequest(envs2, [[g.admins[3]], [g.admins[3]]])), 'one admin signs both parts');
  });
});

describe('conformance §3.4: the signature table in imprint mode', () => {
  it('DOM_ADMIN_LOGIN, DOM_ADMIN_LOGOUT and DOM_ZEROIZE need none; a signature by an installed admin is fine', async () => {
    const pool = await adminPool();
    const f = await imprintUnit(2);
    expectOk(await f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: pool[2].certificate }), 'login, none');
    expectOk(await f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: pool[3].certificate, signers: [f.admins[0]] }), 'login, extra');
    expectOk(await f.s.run({ command: Command.DOM_ADMIN_LOGOUT, payload: pool[3].ski }), 'logout, none');
    expectOk(await f.s.run({ command: Command.DOM_ADMIN_LOGOUT, payload: pool[2].ski, signers: [f.admins[0], f.admins[1]] }), 'logout, extra');
    expectOk(await f.s.run({ command: Command.DOM_ZEROIZE, signers: [f.admins[1]] }), 'zeroize, extra');
    expectOk(await f.s.run({ command: Command.DOM_ZEROIZE }), 'zeroize, none');
    assertNoInternal(f);
  });

  it('DOM_SET_ATTR needs the new signature threshold to leave imprint mode; 0/0 needs none', async () => {
    const f = await imprintUnit(3);
    expectOk(await f.s.run({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(0, 0) }), 'stay in imprint mode');
    expectOk(await f.s.run({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(0, 0), signers: [f.admins[2]] }), 'stay, extra');
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.run({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(2, 2), signers: [f.admins[0]] }), 208, 0, 'too few');
      expectRc(await f.s.run({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(3, 1), signers: f.admins.slice(0, 2) }), 208, 0, 'too few for 3');
    });
    expectOk(await f.s.run({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(2, 2), signers: f.admins.slice(1, 3) }), 'exactly');
    const g = await imprintUnit(3);
    expectOk(await g.s.run({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(2, 1), signers: g.admins }), 'extra');
  });

  it('the register commands are 179 in imprint mode, signed or not', async () => {
    const f = await imprintUnit(2);
    await assertUnchanged(f.unit, async () => {
      for (const spec of [
        { command: Command.GEN_IMPORTER, payload: u32be(3) },
        { command: Command.IMPORT_WK, payload: new Uint8Array(0) },
        { command: Command.COMMIT_WK, payload: new Uint8Array(32) },
        { command: Command.FINALIZE_WK, payload: new Uint8Array(32) },
        { command: Command.CLEAR_WK },
        { command: Command.CLEAR_NEXT_WK },
      ]) {
        expectRc(await f.s.run(spec), 179, 0, `0x${spec.command.toString(16)} unsigned`);
        expectRc(await f.s.run({ ...spec, signers: f.admins }), 179, 0, `0x${spec.command.toString(16)} signed`);
      }
    });
  });
});

describe('conformance §3.3 step 9: signature stages', () => {
  let f: F;
  let outsider: UnitAdmin;
  before(async () => {
    // 3 admins (P-521, P-256, P-384), thresholds 2/2; the outsider is not installed
    f = await authenticatedUnit(3, 2, 2);
    outsider = (await adminPool())[8];
  });
  /** DOM_ADMIN_LOGIN needs 2 here; its block, and SignerInfos over it. */
  const loginSpec = async (): Promise<RequestSpec & { adminBlock: Uint8Array }> => {
    const pool = await adminPool();
    const spec = { command: Command.DOM_ADMIN_LOGIN, payload: pool[4].certificate };
    return { ...spec, adminBlock: f.s.block(spec) };
  };
  const si = (a: UnitAdmin, data: Uint8Array): Promise<Uint8Array> => signerInfoOf(a, data);

  it('an unknown signer is 257, even beside enough valid signatures', async () => {
    const spec = await loginSpec();
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.run({ ...spec, signers: [f.admins[0], f.admins[1], outsider] }), 257);
      expectRc(await f.s.run({ ...spec, signers: [outsider, f.admins[0], f.admins[1]] }), 257);
    });
  });

  it('the same signer twice is 193, even when enough others signed', async () => {
    const spec = await loginSpec();
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.run({ ...spec, signers: [f.admins[0], f.admins[0]] }), 193);
      expectRc(await f.s.run({ ...spec, signers: [f.admins[0], f.admins[1], f.admins[0]] }), 193);
    });
  });

  it('a signature over other data, or over a hash of the block (a hash of a hash), is 192', async () => {
    const spec = await loginSpec();
    const other = await si(f.admins[1], concat(spec.adminBlock, Uint8Array.of(0)));
    const hashed = encodeSignerInfo(f.admins[0].ski, 'P-521', await rawSig(f.admins[0], sha512(spec.adminBlock)));
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.run({ ...spec, signers: [f.admins[0]], extraSignerInfos: [other] }), 192, 0, 'other data');
      expectRc(await f.s.run({ ...spec, signers: [f.admins[1]], extraSignerInfos: [hashed] }), 192, 0, 'prehashed');
    });
  });

  it('malformed SignerInfos and algorithm mismatches are 193', async () => {
    const spec = await loginSpec();
    const b = spec.adminBlock;
    const [a521, a256] = [f.admins[0], f.admins[1]];
    const sig521 = await rawSig(a521, b);
    const sig256 = await rawSig(a256, b);
    const cases: [string, Uint8Array][] = [
      ['version 1', rawSignerInfo({ version: hex('020101'), sid: a521.ski, sig: sig521 })],
      ['sid of 31 bytes', rawSignerInfo({ sid: a521.ski.subarray(1), sig: sig521 })],
      ['sid as a constructed [0]', tlv(0x30, hex('020103'), tlv(0xa0, tlv(0x04, a521.ski)), ALG.sha512, ALG.ecdsaSha512, tlv(0x04, sig521))],
      ['four elements', tlv(0x30, hex('020103'), tlv(0x80, a521.ski), ALG.sha512, tlv(0x04, sig521))],
      ['digest parameters not NULL', rawSignerInfo({ sid: a521.ski, digest: ALG.sha512WithOidParam, sig: sig521 })],
      ['signature not DER', rawSignerInfo({ sid: a521.ski, sig: c.getRandomValues(new Uint8Array(139)) })],
      ['signature with trailing byte', rawSignerInfo({ sid: a521.ski, sig: concat(sig521, Uint8Array.of(0)) })],
      ['P-256 admin, SHA-512 algorithms', rawSignerInfo({ sid: a256.ski, sig: sig256 })],
      ['P-521 admin, SHA-256 algorithms', rawSignerInfo({ sid: a521.ski, ...pairFor('P-256'), sig: sig521 })],
      ['P-256 admin, P-521-sized signature', rawSignerInfo({ sid: a256.ski, ...pairFor('P-256'), sig: sig521 })],
      ['digest and signature algorithms of different curves', rawSignerInfo({ sid: a256.ski, digest: ALG.sha256, sigAlg: ALG.ecdsaSha512, sig: sig256 })],
      ['unknown signer, inconsistent algorithms', rawSignerInfo({ sid: outsider.ski, digest: ALG.sha256, sigAlg: ALG.ecdsaSha512, sig: sig256 })],
    ];
    await assertUnchanged(f.unit, async () => {
      for (const [what, bad] of cases) {
        expectRc(await f.s.run({ ...spec, signers: [f.admins[1], f.admins[2]], extraSignerInfos: [bad] }), 193, 0, what);
      }
    });
    // the hand-written form itself is right: NULL parameters accepted, correct pair accepted
    const good = rawSignerInfo({ sid: a521.ski, digest: ALG.sha512Null, sigAlg: ALG.ecdsaSha512Null, sig: sig521 });
    const good256 = rawSignerInfo({ sid: a256.ski, ...pairFor('P-256'), sig: sig256 });
    expectOk(await f.s.run({ ...spec, extraSignerInfos: [good, good256] }));
  });

  it('an unknown signer with a consistent pair but a garbage signature is 257, not 193', async () => {
    const pool = await adminPool();
    const spec = { command: Command.DOM_ADMIN_LOGIN, payload: pool[5].certificate };
    const junk = rawSignerInfo({ sid: outsider.ski, sig: hex('3006020101020101') });
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.run({ ...spec, signers: f.admins.slice(0, 2), extraSignerInfos: [junk] }), 257);
    });
  });

  it('stages run over all SignerInfos: 193 before 257 before 192 before 208, whatever the order', async () => {
    const pool = await adminPool();
    const spec = { command: Command.DOM_ADMIN_LOGIN, payload: pool[5].certificate };
    const block = f.s.block(spec);
    const malformed = rawSignerInfo({ version: hex('020102'), sid: f.admins[0].ski, sig: await rawSig(f.admins[0], block) });
    const unknown = await si(outsider, block);
    const bad = await si(f.admins[1], concat(block, Uint8Array.of(1)));
    const good = await si(f.admins[2], block);
    const cases: [Uint8Array[], number][] = [
      [[unknown, malformed], 193],
      [[malformed, unknown], 193],
      [[bad, unknown], 257],
      [[unknown, bad], 257],
      [[bad], 192],
      [[good, bad], 192],
      [[bad, good], 192],
      [[good], 208],
    ];
    await assertUnchanged(f.unit, async () => {
      for (const [sis, rc] of cases) expectRc(await f.s.run({ ...spec, extraSignerInfos: sis }), rc);
    });
  });

  it('in imprint mode every signature present is verified too', async () => {
    const g = await imprintUnit(0);
    const pool = await adminPool();
    const spec = { command: Command.DOM_ADMIN_LOGIN, payload: pool[0].certificate };
    await assertUnchanged(g.unit, async () => {
      expectRc(await g.s.run({ ...spec, signers: [pool[0]] }), 257, 0, 'no admin installed yet');
    });
    expectOk(await g.s.run(spec));
    const block = g.s.block({ command: Command.DOM_ADMIN_LOGIN, payload: pool[1].certificate });
    await assertUnchanged(g.unit, async () => {
      expectRc(await g.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: pool[1].certificate, extraSignerInfos: [await si(pool[0], concat(block, Uint8Array.of(0)))] }), 192, 0, 'bad');
      expectRc(await g.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: pool[1].certificate, signers: [pool[0], pool[0]] }), 193, 0, 'twice');
      expectRc(await g.s.run({ command: Command.DOM_ZEROIZE, signers: [pool[7]] }), 257, 0, 'zeroize, unknown');
    });
  });

  it('certificates and signatures made by @noble/curves are accepted (one hash: the curve\'s own)', async () => {
    const g = await imprintUnit(0);
    const nobleAdmins = await Promise.all([nobleAdmin('Noble 521', 'P-521'), nobleAdmin('Noble 384', 'P-384'), nobleAdmin('Noble 256', 'P-256')]);
    for (const a of nobleAdmins) expectOk(await g.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: a.certificate }), a.name);
    const spec = { command: Command.DOM_SET_ATTR, payload: thresholdPairs(3, 1) };
    const block = g.s.block(spec);
    const sis = nobleAdmins.map((a) => a.signerInfo(block));
    await assertUnchanged(g.unit, async () => {
      expectRc(await g.s.run({ ...spec, extraSignerInfos: sis.slice(0, 2) }), 208);
      const wrong = nobleAdmins[0].signerInfo(concat(block, Uint8Array.of(0)));
      expectRc(await g.s.run({ ...spec, extraSignerInfos: [wrong, ...sis.slice(1)] }), 192);
    });
    expectOk(await g.s.run({ ...spec, extraSignerInfos: sis }));
    assertNoInternal(g);
  });
});

const NOBLE = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** An admin whose key, certificate signature and request signatures all come from @noble/curves. */
async function nobleAdmin(name: string, curve: CurveName): Promise<{ name: string; certificate: Uint8Array; signerInfo: (data: Uint8Array) => Uint8Array }> {
  const n = NOBLE[curve];
  const sk = n.utils.randomSecretKey();
  const point = n.getPublicKey(sk, false);
  const certificate = await buildAdminCertificate(c, { name, curve, publicPoint: point, sign: async (tbs) => n.sign(tbs, sk, { format: 'der', lowS: false }) });
  const ski = sha256(point);
  return { name, certificate, signerInfo: (data) => encodeSignerInfo(ski, curve, n.sign(data, sk, { format: 'der', lowS: false })) };
}
