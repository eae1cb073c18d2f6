/**
 * The raw exchange every processor wraps: one command APDU out, one response APDU
 * (data ‖ SW1 SW2) back. A CardTransport's transmit() has this shape; each processor takes an
 * Exchange and returns a new one that adds one ISO 7816-4 behaviour (GET RESPONSE, chaining,
 * logging ...), so they stack.
 */
export type Exchange = (apdu: Uint8Array, signal?: AbortSignal) => Promise<Uint8Array>;

/** SW1 of a response APDU (the caller has checked it is at least 2 bytes). */
export const sw1Of = (rapdu: Uint8Array): number => rapdu[rapdu.length - 2];
/** SW2 of a response APDU. */
export const sw2Of = (rapdu: Uint8Array): number => rapdu[rapdu.length - 1];
