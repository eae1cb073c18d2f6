import type { CardEvent } from '../transport.ts';

/** Listener lists for CardTransport.on(); shared by the transports. */
export class CardEvents {
  private readonly listeners = new Map<CardEvent, Set<() => void>>();

  on(event: CardEvent, listener: () => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Call every listener of `event`. A listener that throws does not stop the others or the transport. */
  emit(event: CardEvent): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        l();
      } catch {
        // A faulty listener must not break the transport.
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
