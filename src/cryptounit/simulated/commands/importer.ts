import { readU32be } from '../../../bytes/index.ts';
import { subjectKeyIdentifier, type CurveName } from '../../../crypto/index.ts';
import { ImporterKeyType, RC, encodeEcSpki } from '../../protocol/index.ts';
import { UnitFault } from '../errors.ts';
import { generateOwnKey } from '../keys.ts';
import type { CommandHandler } from './context.ts';
import { requireLength } from './payload-form.ts';

/**
 * GEN_IMPORTER (0x09), DESIGN §3.4: payload u32 key type (2 = P-256, 3 = P-521; another
 * type is 84 at step 8), one signature. A new ECDH key replaces any existing importer; the
 * response is its SubjectPublicKeyInfo (RFC 5480, uncompressed point).
 */
const IMPORTER_CURVES = new Map<number, CurveName>([
  [ImporterKeyType.P256, 'P-256'],
  [ImporterKeyType.P521, 'P-521'],
]);
const KEY_TYPE_LENGTH = 4;

export const genImporter: CommandHandler = async ({ c, state, block }) => {
  requireLength(block.payload, KEY_TYPE_LENGTH, 'GEN_IMPORTER');
  const type = readU32be(block.payload);
  const curve = IMPORTER_CURVES.get(type);
  if (!curve) throw new UnitFault(RC.UNKNOWN_FUNCTION, 0, `importer key type ${type} is not supported`);
  return {
    required: 1,
    async execute() {
      const key = await generateOwnKey(c, curve, 'ECDH');
      const importer = { key, spki: encodeEcSpki(curve, key.publicPoint), ski: await subjectKeyIdentifier(c, key.publicPoint) };
      return { state: { ...state, importer }, payload: importer.spki.slice() };
    },
  };
};
