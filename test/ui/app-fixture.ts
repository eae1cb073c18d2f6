/**
 * A started app for component tests: a real store in a fresh IndexedDB database and the real
 * simulation worker (src/sim/sim.worker.ts) in a real Worker, as main.ts wires them.
 */
import { openStore, type WebtkeStore } from '../../src/store/index.ts';
import { AppModel, type AppPlatform } from '../../src/ui/app-model.ts';
import { testIdb, type TestIdb } from '../store/idb-env.ts';

export const c = globalThis.crypto;

export interface StartedApp {
  app: AppModel;
  store: WebtkeStore;
  idb: TestIdb;
  workers: Worker[];
  /** a second app over the same database, as after a reload (the first must be stopped) */
  reload(): Promise<AppModel>;
  done(): Promise<void>;
}

export async function startApp(extra: Partial<AppPlatform> = {}): Promise<StartedApp> {
  const idb = await testIdb();
  const stores: WebtkeStore[] = [];
  const apps: AppModel[] = [];
  const workers: Worker[] = [];
  const make = async (): Promise<AppModel> => {
    const store = await openStore({ indexedDB: idb.indexedDB, crypto: c, name: idb.name });
    stores.push(store);
    const app = new AppModel({
      store,
      crypto: c,
      createSimWorker: (name) => {
        const w = new Worker(new URL('../../src/sim/sim.worker.ts', import.meta.url), { type: 'module', name });
        workers.push(w);
        return w;
      },
      ...extra,
    });
    apps.push(app);
    await app.start();
    return app;
  };
  const app = await make();
  return {
    app,
    store: stores[0],
    idb,
    workers,
    reload: make,
    async done() {
      for (const a of apps) a.dispose();
      for (const w of workers) w.terminate();
      for (const s of stores) s.close();
      // the terminated workers' connections close with them (or on versionchange)
      for (let i = 0; ; i++) {
        try {
          await idb.cleanup();
          return;
        } catch (e) {
          if (i >= 20) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}
