/**
 * The reader dumps the fakes are built from (../shared/vectors/ccid-readers/, libccid `parse`
 * output of real devices), by short name.
 */
import { parseLibccidDump, type LibccidDump } from './ccid-descriptor-text.ts';

export const READER_FILES = {
  /** YubiKey 5 (bcdDevice 5.03): extended APDU, 3072-byte messages, interrupt EP, CCID on interface 2. */
  yubikey: 'Yubico_Yubikey_4_OTP+U2F+CCID.txt',
  /** Nitrokey 3: extended APDU, 3072, no interrupt EP. */
  nitrokey3: 'Nitrokey_Nitrokey_3.txt',
  /** Cherry Smart Card Reader USB (fw 2.03): short APDU, 271. */
  cherry: 'Cherry_Smart_Card_Reader_USB.txt',
  /** SCM SCR3310: TPDU, 271, dwMaxIFSD 252. */
  scr3310: 'SCR3310.txt',
  /** SCM SPRx32 (SPR532): TPDU, 270, vendor interface class 0xFF. */
  spr532: 'SPR532.txt',
} as const;

export type ReaderName = keyof typeof READER_FILES;

/** Load a dump with the given text reader (readSharedText in tests, fs in benchmarks). */
export async function loadReaderDump(name: ReaderName, readSharedText: (path: string) => Promise<string>): Promise<LibccidDump> {
  const file = READER_FILES[name];
  return parseLibccidDump(await readSharedText(`vectors/ccid-readers/${file}`), file);
}
