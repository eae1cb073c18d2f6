import { css } from 'lit';

/** Shared look of views and dialogs (constructable stylesheets: allowed by the CSP). */
export const baseStyles = css`
  :host { display: block; }
  h2 { margin: 0 0 0.75rem; font-size: 1.3rem; }
  h3 { margin: 1.25rem 0 0.5rem; font-size: 1.1rem; }
  h4 { margin: 0.75rem 0 0.25rem; font-size: 1rem; }
  section { margin-bottom: 1.5rem; }
  table { border-collapse: collapse; margin: 0.5rem 0; }
  caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
  th, td { border: 1px solid #ccd2d9; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
  th { background: #eef2f6; }
  code, .hex { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; word-break: break-word; }
  .hex { white-space: normal; }
  label { display: block; margin: 0.5rem 0 0.15rem; font-weight: 500; }
  label.inline { display: inline; font-weight: normal; margin: 0 0.75rem 0 0.25rem; }
  input[type='text'], input[type='password'], input:not([type]), select, textarea { font: inherit; padding: 0.25rem 0.4rem; min-width: 16rem; max-width: 100%; box-sizing: border-box; }
  input[type='number'] { font: inherit; width: 5rem; padding: 0.25rem 0.4rem; }
  button { font: inherit; padding: 0.3rem 0.8rem; margin: 0.5rem 0.5rem 0 0; cursor: pointer; }
  button.primary { background: #1f3a5f; color: #fff; border: 1px solid #1f3a5f; border-radius: 3px; }
  button.danger { background: #b3261e; color: #fff; border: 1px solid #b3261e; border-radius: 3px; }
  button:disabled { opacity: 0.55; cursor: not-allowed; }
  :focus-visible { outline: 2px solid #e0a100; outline-offset: 2px; }
  fieldset { border: 1px solid #ccd2d9; margin: 0.75rem 0; padding: 0.5rem 0.75rem; }
  legend { font-weight: 600; padding: 0 0.25rem; }
  .hint { color: #555; font-size: 0.9em; margin: 0.2rem 0; }
  .note { background: #fff8e1; border: 1px solid #e0c36a; padding: 0.4rem 0.6rem; margin: 0.5rem 0; }
  .ok { color: #1e6b34; }
  .warn { color: #8a5a00; }
  .sim-label { display: inline-block; background: #fff3cd; border: 1px solid #d9b44a; color: #5c4400; padding: 0.15rem 0.5rem; font-weight: 600; }
  dialog { border: 1px solid #1f3a5f; border-radius: 4px; max-width: min(60rem, 95vw); padding: 1rem 1.25rem; }
  dialog::backdrop { background: rgba(20, 30, 45, 0.45); }
  dialog h3 { margin-top: 0; }
  .actions { margin-top: 0.75rem; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/**
 * Sections behind <details>: one tab stop each while closed (views stay quick to cross with the
 * keyboard), the heading inside the summary.
 */
export const detailsStyles = css`
  details { border-top: 1px solid #ccd2d9; padding: 0.25rem 0 0.5rem; }
  summary { cursor: pointer; padding: 0.25rem 0; }
  summary h3 { display: inline; margin: 0; }
  details[open] > summary { margin-bottom: 0.5rem; }
`;
