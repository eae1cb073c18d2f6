import type * as CardRuntimeModule from './card-runtime.ts';

/** The smart-card code (card-runtime.ts), as one lazily loaded module. */
export type CardRuntime = typeof CardRuntimeModule;

let loading: Promise<CardRuntime> | undefined;

/** Load the card runtime once, on first use of a smart card or the card doctor. */
export function loadCardRuntime(): Promise<CardRuntime> {
  loading ??= import('./card-runtime.ts');
  return loading;
}
