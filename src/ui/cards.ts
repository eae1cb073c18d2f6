/**
 * Smart cards the user connected in this session (issue 5, "App integration"): a reader picker
 * over WebUSB (CCID class filter) or the Web Smart Card reader list, and one applet session
 * (PIV or OpenPGP) per connected card. Nothing about a card is stored; a reload forgets them.
 *
 * WebUSB failures are classified by the card doctor (cardAccessErrorFrom), so "the requested
 * interface implements a protected class" reaches the user as the doctor's finding with its
 * remedy, not as a raw DOMException.
 */
import type { CardTransport } from '../card/transport.ts';
import type { CcidUsbDevice } from '../card/transports/webusb-ccid/index.ts';
import type { SmartCardReaderEntry, SmartCardResourceManagerLike } from '../card/transports/web-smart-card/index.ts';
import type { OpenPgpCard } from '../card/applets/openpgp/index.ts';
import type { WebCrypto } from '../crypto/index.ts';
import type { PivCard } from '../custodian/piv/index.ts';
import type { KeyPartHolder } from '../custodian/index.ts';
import { loadCardRuntime } from './load-card-runtime.ts';

/** USB interface class of smart-card readers (CCID), as the card doctor names it. */
const USB_CLASS_SMART_CARD = 0x0b;

export type CardApplet = 'piv' | 'openpgp';
export type CardRouteName = CardTransport['reader']['kind'];

/** One connected card with its applet session. */
export interface CardSession {
  /** unique in this page session */
  readonly id: string;
  readonly readerName: string;
  readonly route: CardRouteName;
  readonly applet: CardApplet;
  /** the card as people name it: "PIV 12345678" or "OpenPGP 0006:23852774" */
  readonly label: string;
  /** what the directory records as the card's serial */
  readonly serial: string;
  readonly piv?: PivCard;
  readonly openpgp?: OpenPgpCard;
  readonly transport: CardTransport;
  /** the card's key parts, as a KeyPartHolder */
  readonly parts: KeyPartHolder;
}

export interface PinState {
  retriesLeft: number | undefined;
  blocked: boolean;
}

/** What the picker may use (main.ts passes the browser's). */
export interface CardPlatform {
  crypto: WebCrypto;
  /** navigator.usb.requestDevice, when the browser has WebUSB */
  requestUsbDevice?: (options: { filters: { classCode: number }[] }) => Promise<CcidUsbDevice>;
  /** navigator.smartCard, where the browser exposes it */
  smartCard?: SmartCardResourceManagerLike;
  isolatedContext?: boolean;
  userAgent?: string;
}

export class NoAppletError extends Error {
  override name = 'NoAppletError';
  readonly remedy = 'Use a card with a PIV or an OpenPGP (3.4) application, such as a YubiKey 5 or a Nitrokey 3.';
  constructor(reader: string) {
    super(`the card in "${reader}" has neither a PIV nor an OpenPGP application webtke can use`);
  }
}

let nextId = 1;

export class CardSessions {
  private readonly sessions: CardSession[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly p: CardPlatform) {}

  get list(): readonly CardSession[] {
    return this.sessions;
  }

  get canUseUsb(): boolean {
    return this.p.requestUsbDevice !== undefined;
  }

  get canUseSmartCard(): boolean {
    return this.p.smartCard !== undefined;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** The readers the OS smart-card service knows (Web Smart Card). */
  async smartCardReaders(): Promise<SmartCardReaderEntry[]> {
    if (!this.p.smartCard) return [];
    const { listSmartCardReaders } = await loadCardRuntime();
    return listSmartCardReaders(this.p.smartCard);
  }

  /** Ask the browser for a USB reader (its chooser; needs a click) and open it. */
  async connectUsb(applet?: CardApplet): Promise<CardSession> {
    if (!this.p.requestUsbDevice) throw new Error('this browser has no WebUSB');
    const { cardAccessErrorFrom, CcidSetupError, openCcidReader } = await loadCardRuntime();
    const ctx = { interfaceClass: USB_CLASS_SMART_CARD, isolatedContext: this.p.isolatedContext, userAgent: this.p.userAgent };
    let device: CcidUsbDevice;
    try {
      device = await this.p.requestUsbDevice({ filters: [{ classCode: USB_CLASS_SMART_CARD }] });
    } catch (e) {
      throw cardAccessErrorFrom(e, { ...ctx, operation: 'requestDevice', filters: [{ classCode: USB_CLASS_SMART_CARD }] });
    }
    let transport: CardTransport;
    try {
      transport = await openCcidReader(device);
    } catch (e) {
      if (e instanceof CcidSetupError && e.operation !== 'controlTransferIn' && e.operation !== 'selectAlternateInterface') {
        throw cardAccessErrorFrom(e.cause, { ...ctx, operation: e.operation, device });
      }
      throw e;
    }
    return this.connect(transport, applet);
  }

  /** Open a reader of the OS smart-card service by name. */
  async connectSmartCard(readerName: string, applet?: CardApplet): Promise<CardSession> {
    if (!this.p.smartCard) throw new Error('this browser has no Web Smart Card API');
    const { openSmartCardReader } = await loadCardRuntime();
    return this.connect(await openSmartCardReader(this.p.smartCard, readerName), applet);
  }

  /**
   * Open a card over any transport (tests use memory transports with virtual cards): the
   * preferred applet if the card has it, else the other one.
   */
  async connect(transport: CardTransport, applet?: CardApplet): Promise<CardSession> {
    const order: CardApplet[] = applet === 'openpgp' ? ['openpgp', 'piv'] : ['piv', 'openpgp'];
    let lastError: unknown;
    for (const kind of order) {
      try {
        const s = await this.open(transport, kind);
        this.sessions.push(s);
        this.changed();
        return s;
      } catch (e) {
        lastError = e;
      }
    }
    await transport.close().catch(() => undefined);
    if (lastError instanceof Error && lastError.name.includes('Transport')) throw lastError;
    throw new NoAppletError(transport.reader.name);
  }

  private async open(transport: CardTransport, kind: CardApplet): Promise<CardSession> {
    const id = `card-${nextId++}`;
    const { PivCard, PivKeyPartHolder, OpenPgpCard, OpenPgpKeyPartHolder } = await loadCardRuntime();
    if (kind === 'piv') {
      const piv = await PivCard.open(transport, { crypto: this.p.crypto });
      const serial = piv.serial !== undefined ? String(piv.serial) : 'unknown';
      return { id, readerName: transport.reader.name, route: transport.reader.kind, applet: 'piv', label: `PIV card ${serial}`, serial, piv, transport, parts: new PivKeyPartHolder(piv) };
    }
    const openpgp = await OpenPgpCard.open(transport);
    const serial = openpgp.aid.id;
    return {
      id, readerName: transport.reader.name, route: transport.reader.kind, applet: 'openpgp', label: `OpenPGP card ${serial}`, serial, openpgp, transport,
      parts: new OpenPgpKeyPartHolder(openpgp, this.p.crypto),
    };
  }

  /** PIN tries left (no try is used). */
  async pinState(s: CardSession): Promise<PinState> {
    if (s.piv) {
      const i = await s.piv.pinInfo();
      return { retriesLeft: i.retriesLeft, blocked: i.blocked };
    }
    const { openPgpRetriesLeft } = await loadCardRuntime();
    const n = await openPgpRetriesLeft(s.openpgp!, 'PW1');
    return { retriesLeft: n, blocked: n === 0 };
  }

  /** Close the card's connection and forget it. */
  async disconnect(id: string): Promise<void> {
    const i = this.sessions.findIndex((s) => s.id === id);
    if (i < 0) return;
    const [s] = this.sessions.splice(i, 1);
    this.changed();
    await s.transport.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    for (const s of [...this.sessions]) await this.disconnect(s.id);
  }
}
