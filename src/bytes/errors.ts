/** A read past the end of a buffer, or bytes left over where none may be. */
export class ByteRangeError extends Error {
  override name = 'ByteRangeError';
  constructor(
    message: string,
    readonly offset: number,
    readonly wanted: number,
    readonly available: number,
  ) {
    super(message);
  }
}

/** Text that is not valid hex of the expected form. */
export class HexError extends Error {
  override name = 'HexError';
}
