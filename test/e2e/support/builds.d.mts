/** Types of builds.mjs. */
export const REPO_ROOT: string;
export const DIST_DIR: string;
export const SINGLE_DIR: string;
export const SINGLE_FILE: string;
export const ARTIFACTS: ReadonlyArray<{ name: string; script: string; marker: string }>;
export function isStale(artifact: string): boolean;
export function ensureBuilds(opts?: { force?: boolean; log?: (line: string) => void }): void;
