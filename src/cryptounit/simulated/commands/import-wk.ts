import { bytesEqual } from '../../../bytes/index.ts';
import { wipe, type WebCrypto } from '../../../crypto/index.ts';
import {
  EnvelopeError, PART_LENGTH, ProtocolDecodeError, REASON, RC, decodeAdminBlock, decodeAdminRequest, openPartEnvelope,
  splitDerSequence, type AdminBlock, type AdminRequest,
} from '../../protocol/index.ts';
import { UnitFault } from '../errors.ts';
import { MasterKey } from '../master-key.ts';
import type { Importer } from '../state.ts';
import type { CommandHandler } from './context.ts';

/**
 * IMPORT_WK (0x0C), DESIGN §3.7: load the new register from 2 or 3 key parts.
 *
 *   step 7  outer signerInfos empty; payload = 2 or 3 concatenated inner AdminRequests, each
 *           with the outer function and domainIndex and an AdminBlock with the outer command,
 *           domain, module and counter (all 7)
 *   step 8  an importer key (96), then an EMPTY new register (80/80)
 *   step 9  the inner signatures, stages over all inner SignerInfos together; each inner
 *           request needs at least one valid admin signature (208)
 *   then    every envelope opens with the importer key and the XOR is not all zeros (32;
 *           the importer is kept); on success the new register is FULL UNCOMMITTED, the
 *           importer is destroyed and the response is the register's VP
 */
const MIN_PARTS = 2;
const MAX_PARTS = 3;

interface InnerRequest {
  request: AdminRequest;
  block: AdminBlock;
}

function form(message: string): UnitFault {
  return new UnitFault(RC.BAD_ARGUMENTS, 0, `IMPORT_WK: ${message}`);
}

function parseInner(der: Uint8Array, i: number, outer: AdminRequest, outerBlock: AdminBlock): InnerRequest {
  let request: AdminRequest;
  let block: AdminBlock;
  try {
    request = decodeAdminRequest(der);
    block = decodeAdminBlock(request.adminBlock);
  } catch (e) {
    if (e instanceof ProtocolDecodeError) throw form(`inner request ${i}: ${e.message}`);
    throw e;
  }
  if (request.function !== outer.function || request.domainIndex !== outer.domainIndex) {
    throw form(`inner request ${i} names another function or domain index`);
  }
  if (
    block.command !== outerBlock.command ||
    !bytesEqual(block.domain, outerBlock.domain) ||
    !bytesEqual(block.module, outerBlock.module) ||
    !bytesEqual(block.counter, outerBlock.counter)
  ) {
    throw form(`inner request ${i} is bound to another command, domain, module or counter`);
  }
  return { request, block };
}

async function openPart(c: WebCrypto, importer: Importer, envelope: Uint8Array): Promise<Uint8Array> {
  try {
    return await openPartEnvelope(c, { curve: importer.key.curve, privateKey: importer.key.privateKey, ski: importer.ski }, envelope);
  } catch (e) {
    if (e instanceof EnvelopeError) throw new UnitFault(RC.INVALID_DATA, 0, e.message);
    throw e;
  }
}

export const importWk: CommandHandler = async ({ c, state, request, block }) => {
  // step 7
  if (request.signerInfos.length !== 0) throw form('the outer request must carry no signatures');
  let ders: Uint8Array[];
  try {
    ders = splitDerSequence(block.payload, { maxItems: MAX_PARTS + 1 });
  } catch (e) {
    if (e instanceof ProtocolDecodeError) throw form(`payload: ${e.message}`);
    throw e;
  }
  if (ders.length < MIN_PARTS || ders.length > MAX_PARTS) throw form(`${ders.length} inner requests, 2 or 3 expected`);
  const inner = ders.map((der, i) => parseInner(der, i, request, block));
  // step 8
  const importer = state.importer;
  if (!importer) throw new UnitFault(RC.NOT_FOUND, 0, 'there is no importer key');
  if (state.next) throw new UnitFault(RC.BAD_REGISTER_STATE, REASON.NEW_NOT_EMPTY, 'the new register is not empty');
  return {
    groups: inner.map((x) => ({ data: x.request.adminBlock, signerInfos: x.request.signerInfos, required: 1 })),
    async execute() {
      const parts: Uint8Array[] = [];
      const key = new Uint8Array(PART_LENGTH);
      try {
        for (const x of inner) parts.push(await openPart(c, importer, x.block.payload));
        for (const p of parts) for (let i = 0; i < PART_LENGTH; i++) key[i] ^= p[i];
        if (key.every((b) => b === 0)) throw new UnitFault(RC.INVALID_DATA, 0, 'the parts XOR to zero');
        const mk = await MasterKey.of(c, key);
        return { state: { ...state, next: { key: mk, committed: false }, importer: null }, payload: mk.vp.slice() };
      } finally {
        wipe(key, ...parts);
      }
    },
  };
};
