import type { T1Link } from './link.ts';

export interface T1Options {
  ifsc: number;
  ifsd: number;
  nad?: number;
  edc?: 'lrc' | 'crc';
  maxRetries?: number;
}

/** First cut: API only; the engine follows. */
export class T1Session {
  constructor(
    private readonly link: T1Link,
    private readonly options: T1Options,
  ) {}

  /** S(IFS request) with our IFSD, once after power-on. */
  async negotiateIfsd(signal?: AbortSignal): Promise<void> {
    void this.link;
    void this.options;
    void signal;
    throw new Error('T1Session.negotiateIfsd: not implemented yet');
  }

  /** One whole APDU exchange: chains the command into I-blocks of at most IFSC, collects the chained response; returns the response APDU (data ‖ SW). */
  async transceive(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    void apdu;
    void signal;
    throw new Error('T1Session.transceive: not implemented yet');
  }
}
