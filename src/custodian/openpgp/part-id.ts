import { DO_PRIVATE_1, DO_PRIVATE_2 } from '../../card/applets/openpgp/index.ts';

/**
 * Key part ids on an OpenPGP card: "openpgp:<manufacturer>:<serial>:<DO>", e.g.
 * "openpgp:0006:23852774:0101". Stable for the card's life; they name the card, so a part id
 * given to the wrong card is refused instead of opening another part.
 */
export type PartSlot = typeof DO_PRIVATE_1 | typeof DO_PRIVATE_2;
export const PART_SLOTS: readonly PartSlot[] = [DO_PRIVATE_1, DO_PRIVATE_2];

export const partId = (cardId: string, slot: number): string => `openpgp:${cardId}:${slot.toString(16).padStart(4, '0')}`;

/** The slot of a part id of this card, or undefined when the id names another card or slot. */
export function slotOfPartId(cardId: string, id: string): PartSlot | undefined {
  return PART_SLOTS.find((s) => partId(cardId, s) === id);
}
