/**
 * The unit server's state directory (--state-dir): the simulated host and each unit as the
 * exported state files of src/cryptounit/simulated (versioned JSON).
 *
 *   | file            | contents                                                     |
 *   |-----------------|--------------------------------------------------------------|
 *   | host.json       | SimulatedHost.exportState(): the root key and certificate     |
 *   | <unit id>.json  | SimulatedCryptoUnit.exportState(): OA key, admins, registers… |
 *   | server.lock     | the pid of the server using the directory                    |
 *
 * These files hold every secret of the simulated units (root and OA private keys, master keys,
 * importer keys): the directory is created 0700 and files are written 0600. Every write is
 * atomic: a temporary file in the same directory, written and fsynced, then renamed over the old
 * file (and the directory fsynced where the platform allows), so a crash leaves the old or the
 * new state, never a mix. Temporary files left by a crash are removed at the next start.
 *
 * One server at a time: server.lock is created exclusively; a lock whose process is gone is
 * taken over.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const HOST_FILE = 'host.json';
export const LOCK_FILE = 'server.lock';
/** Temporary files: `.<name>.<pid>.<8 hex>.tmp`. */
const TMP_PATTERN = /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** A state file is small (a few certificates and keys); anything larger is not ours. */
const MAX_STATE_FILE = 1 << 20;

export class StateDirError extends Error {
  override name = 'StateDirError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StateDir {
  private locked = false;

  private constructor(readonly path: string) {}

  /** Create (0700) or open the directory, take its lock, and remove crash leftovers. */
  static async open(path: string): Promise<StateDir> {
    await mkdir(path, { recursive: true, mode: DIR_MODE });
    const dir = new StateDir(path);
    await dir.lock();
    for (const name of await readdir(path)) {
      if (TMP_PATTERN.test(name)) await rm(join(path, name), { force: true });
    }
    return dir;
  }

  private async lock(): Promise<void> {
    const file = join(this.path, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(file, 'wx', FILE_MODE);
        try {
          await fh.writeFile(`${process.pid}\n`);
        } finally {
          await fh.close();
        }
        this.locked = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const text = await readFile(file, 'utf8').catch(() => '');
      const pid = Number.parseInt(text.trim(), 10);
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new StateDirError(`another unit server (pid ${pid}) uses this state directory`, file);
      }
      if (Number.isSafeInteger(pid) && pid === process.pid) {
        throw new StateDirError('this process already serves this state directory', file);
      }
      await rm(file, { force: true }); // stale: its process is gone
    }
    throw new StateDirError('could not take the state directory lock', file);
  }

  /** A state file's bytes, or null when it does not exist. */
  async read(name: string): Promise<Uint8Array | null> {
    const file = join(this.path, name);
    let fh;
    try {
      fh = await open(file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    try {
      const { size } = await fh.stat();
      if (size > MAX_STATE_FILE) throw new StateDirError(`is ${size} bytes, larger than any state file`, file);
      return new Uint8Array(await fh.readFile());
    } finally {
      await fh.close();
    }
  }

  /** The names of the files in the directory. */
  list(): Promise<string[]> {
    return readdir(this.path);
  }

  /** Replace `name` with `bytes` atomically (temporary file, fsync, rename, directory fsync). */
  async write(name: string, bytes: Uint8Array): Promise<void> {
    const target = join(this.path, name);
    const tmp = join(this.path, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const fh = await open(tmp, 'wx', FILE_MODE);
    try {
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    try {
      const d = await open(this.path, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      // a directory cannot be fsynced everywhere (Windows); the rename is still atomic
    }
  }

  /** Release the lock (the files stay). */
  async close(): Promise<void> {
    if (!this.locked) return;
    this.locked = false;
    await rm(join(this.path, LOCK_FILE), { force: true });
  }
}
