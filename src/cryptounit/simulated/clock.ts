/**
 * The wall clock, passed in like every platform object (DESIGN §2). The simulated unit uses
 * it only for the validity dates it writes into certificates (which nobody checks).
 */
export type Clock = () => number;

/** Certificates use UTCTime, which cannot express 2050 or later (RFC 5280 §4.1.2.5). */
const LAST_UTC_TIME = Date.UTC(2049, 11, 31, 23, 59, 59);
const CERTIFICATE_YEARS = 20;

export function validityFrom(clock: Clock): { notBefore: Date; notAfter: Date } {
  const now = Math.min(Math.floor(clock() / 1000) * 1000, LAST_UTC_TIME - 1000);
  const notAfter = Math.min(now + CERTIFICATE_YEARS * 365.25 * 86400e3, LAST_UTC_TIME);
  return { notBefore: new Date(now), notAfter: new Date(notAfter) };
}
