export { ByteRangeError, HexError } from './errors.ts';
export { toHex, fromHex, groupedHex } from './hex.ts';
export { concat } from './concat.ts';
export { constantTimeEqual, bytesEqual } from './equal.ts';
export { u16be, u16le, u32be, u32le, uintBe, readUintBe, readU32be } from './ints.ts';
export { ByteReader } from './reader.ts';
export { ByteWriter } from './writer.ts';
