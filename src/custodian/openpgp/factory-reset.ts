import { PW3, type OpenPgpCard } from '../../card/applets/openpgp/index.ts';
import { verifyCardPassword } from './pin.ts';

/**
 * Factory-reset the OpenPGP application (TERMINATE DF, ACTIVATE FILE): the only way back from
 * a blocked admin PIN. It destroys the admin key, the certificate, the decryption key and
 * every key part on the card; the PINs return to 123456 / 12345678.
 *
 * With the admin PIN given, it is verified first; with PW3 blocked, none is needed.
 */
export async function factoryReset(card: OpenPgpCard, adminPin?: string): Promise<void> {
  const status = await card.pwStatus();
  if (status.retries.pw3 > 0) {
    if (adminPin === undefined) throw new RangeError('a factory reset needs the admin PIN while it is not blocked');
    await verifyCardPassword(card, PW3, adminPin);
  }
  await card.factoryReset();
}
