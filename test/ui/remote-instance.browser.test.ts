/**
 * A remote instance in the app, with no Node server: two simulated units on one simulated host
 * in this page, behind a fake fetch handed to the app through its platform object (as main.ts
 * hands it the browser's fetch). The fake builds a real Request from what the app sends, checks
 * the bearer token and answers with the unit's DER response.
 *
 * Checked: a unit URL outside the build's allowed origins is refused before anything is sent;
 * the instance is created from the Instance view's form (URLs, token); the host root is shown
 * for the person to accept (its fingerprint computed here with pkijs and @noble/hashes), a
 * refusal pins nothing and covers a unit behind the same root that answers after it (asked once
 * per refresh), an acceptance pins it on every unit; the units are labelled remote with
 * their URLs; every request carries the token and refuses redirects; administrators and
 * thresholds set through the engine are what the units themselves report; a forgotten token
 * shows the host's 401 in words, and the token typed again reaches the units; the token is in
 * no IndexedDB record.
 */
import { describe, it, afterEach, assert } from '../harness.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import * as asn1js from 'asn1js';
import { Certificate } from 'pkijs';
import { CryptoUnitClient } from '../../src/cryptounit/client.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../src/cryptounit/simulated/index.ts';
import { MemoryUnitTransport } from '../../src/cryptounit/transports/memory.ts';
import type { FetchLike } from '../../src/security/connect-guard.ts';
import { ConsentElement } from '../../src/ui/consent/consent-host.ts';
import { InstanceView } from '../../src/ui/views/instance-view.ts';
import { createTestAdmins } from '../fakes/test-admins.ts';
import { c, startApp, type StartedApp } from './app-fixture.ts';
import { $, button, deepText, mount, text, type, unmountAll, waitFor, wholeDatabase } from './helpers.ts';
import { hex, ScriptedConsent } from './master-key-fixture.ts';

const ORIGIN = 'https://units.example';
const URLS = [`${ORIGIN}/units/u1`, `${ORIGIN}/units/u2`];
const TOKEN = 'remote-test-token-0123456789abcdef';

interface Seen {
  url: string;
  method: string;
  auth: string | null;
  redirect: RequestRedirect;
  credentials: RequestCredentials;
  contentType: string | null;
}

/** "SHA256:" + unpadded base64 of SHA-256 over the root's SubjectPublicKeyInfo, computed here. */
function rootFingerprint(rootDer: Uint8Array): string {
  const cert = new Certificate({ schema: asn1js.fromBER(rootDer.slice().buffer).result });
  const spki = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  return `SHA256:${btoa(String.fromCharCode(...sha256(spki))).replace(/=+$/, '')}`;
}

async function unitHost() {
  const host = await SimulatedHost.create({ crypto: c });
  const units = new Map<string, SimulatedCryptoUnit>();
  for (const id of ['u1', 'u2']) units.set(id, await SimulatedCryptoUnit.create({ host, crypto: c }));
  const seen: Seen[] = [];
  /** a unit whose answers wait until the test releases them (a slow unit) */
  const held = new Map<string, Promise<void>>();
  const hold = (id: string): (() => void) => {
    let release!: () => void;
    held.set(id, new Promise<void>((r) => (release = r)));
    return () => {
      held.delete(id);
      release();
    };
  };
  const fetch: FetchLike = async (input, init) => {
    const req = new Request(input, init);
    seen.push({
      url: req.url, method: req.method, auth: req.headers.get('authorization'), redirect: req.redirect, credentials: req.credentials,
      contentType: req.headers.get('content-type'),
    });
    const url = new URL(req.url);
    const unit = url.origin === ORIGIN ? units.get(url.pathname.replace(/^\/units\//, '')) : undefined;
    if (!unit) return new Response('no such unit', { status: 404 });
    if (req.headers.get('authorization') !== `Bearer ${TOKEN}`) {
      return new Response('the bearer token is missing or wrong', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="webtke-units"' } });
    }
    const body = new Uint8Array(await req.arrayBuffer());
    await held.get(url.pathname.replace(/^\/units\//, ''));
    const answer = await unit.handle(body);
    return new Response(answer.slice().buffer, { status: 200, headers: { 'Content-Type': 'application/octet-stream' } });
  };
  /** a client straight to a unit (no HTTP, no app), pinned to the fingerprint computed here */
  const direct = async (id: string): Promise<CryptoUnitClient> => {
    const unit = units.get(id)!;
    const client = new CryptoUnitClient({ transport: new MemoryUnitTransport((r) => unit.handle(r)), crypto: c, pinnedRoot: rootFingerprint(host.rootCertificate) });
    await client.connect();
    return client;
  };
  return { host, units, seen, fetch, direct, hold, fingerprint: rootFingerprint(host.rootCertificate) };
}

describe('ui: remote instance (units over HTTP through a fake fetch)', () => {
  let started: StartedApp | undefined;
  afterEach(async () => {
    unmountAll();
    await started?.done();
    started = undefined;
  });

  it('creates the instance from URLs and a token, asks to trust the root, and runs admins and thresholds on the remote units', async () => {
    const h = await unitHost();
    started = await startApp({ fetch: h.fetch, buildUnitOrigins: [ORIGIN] });
    const { app } = started;
    const consent = await mount(new ConsentElement(), (el) => (el.app = app));
    app.consent.host = consent;
    const view = await mount(new InstanceView(), (el) => (el.app = app));
    const root = view.shadowRoot!;
    await waitFor(() => app.snapshot, 'the simulated instance');
    root.querySelectorAll('details').forEach((d) => ((d as HTMLDetailsElement).open = true));
    await view.updateComplete;

    // a URL this build does not allow: refused in words, nothing sent, no instance made
    type($<HTMLInputElement>(root, '#remote-name'), 'Remote rehearsal');
    type($<HTMLTextAreaElement>(root, '#remote-urls'), 'https://elsewhere.example/units/u9\n');
    await view.updateComplete;
    button(root, 'Create the remote instance').click();
    const refusal = await waitFor(() => [...root.querySelectorAll('webtke-error')].map((e) => deepText(e)).find((t) => t.includes('refused')), 'the refusal');
    assert.include(refusal, 'refused to connect to https://elsewhere.example');
    assert.include(refusal, 'WEBTKE_UNIT_ORIGINS', 'the remedy names the build setting');
    assert.lengthOf(h.seen, 0, 'nothing was sent');
    assert.lengthOf(app.instances, 1, 'no instance was created');

    // the right URLs and the token; Unit 2 answers only after the root question was answered
    const releaseUnit2 = h.hold('u2');
    type($<HTMLTextAreaElement>(root, '#remote-urls'), `${URLS[0]}\n${URLS[1]}\n`);
    type($<HTMLInputElement>(root, '#remote-token'), TOKEN);
    await view.updateComplete;
    button(root, 'Create the remote instance').click();
    assert.equal($<HTMLInputElement>(root, '#remote-token').value, '', 'the token field is emptied at once');

    // the root, shown for the person to compare: refused first
    const confirm = consent.shadowRoot!.querySelector('webtke-confirm-dialog')!;
    const croot = confirm.shadowRoot!;
    await waitFor(() => croot.querySelector('dialog')?.open, 'the question about the root');
    assert.include(text($(croot, 'h3')), 'Trust the root of Unit 1?');
    assert.include(deepText(croot), h.fingerprint, 'the fingerprint computed here');
    assert.include(deepText(croot), URLS[0]);
    button(croot, 'Cancel').click();
    await waitFor(() => !croot.querySelector('dialog')!.open, 'the question closed');
    releaseUnit2(); // Unit 2, behind the same root, answers now: refused with it, not asked again
    const inst = () => app.instance!;
    await waitFor(() => app.snapshot && app.snapshot.instanceId === inst().id && !app.refreshing, 'the refused units');
    assert.equal(inst().kind, 'remote');
    assert.isFalse(croot.querySelector('dialog')!.open, 'asked once for the root the two units share');
    for (const u of inst().units) {
      assert.isUndefined((await started.store.instances.get(inst().id))!.units.find((x) => x.id === u.id)!.pinnedRoot, 'nothing pinned');
      const row = await waitFor(() => root.querySelector(`tr.unreachable[data-unit="${u.id}"]`), `${u.label} refused`);
      assert.include(deepText(row), 'This unit\'s root was not accepted');
    }

    // asked again at the next refresh: accepted
    button(root, 'Refresh').click();
    await waitFor(() => croot.querySelector('dialog')?.open, 'the question again');
    assert.include(deepText(croot), h.fingerprint);
    button(croot, 'Trust this root').click();
    await waitFor(() => root.querySelectorAll('table.unit-table tbody tr:not(.unreachable)').length === 2, 'both units answering');
    const stored = (await started.store.instances.get(inst().id))!;
    assert.deepEqual(stored.units.map((u) => u.pinnedRoot?.fingerprint), [h.fingerprint, h.fingerprint], 'the root pinned on both units');
    assert.deepEqual(stored.units.map((u) => u.endpoint), URLS.map((url) => ({ kind: 'http' as const, url })));
    // the units, labelled plainly as remote with their URLs; the pinned root shown
    stored.units.forEach((u, i) => {
      const head = $(root, `th[data-unit="${u.id}"]`);
      assert.equal(text(head.querySelector('.unit-kind')), `remote unit at ${URLS[i]}`);
      assert.equal(text(root.querySelector(`tr[data-unit="${u.id}"] .fingerprint`)), h.fingerprint);
    });
    assert.include(text($(root, '.remote-label')), 'Remote crypto units');
    assert.isNull(root.querySelector('.sim-label'), 'not labelled a simulation');
    const firstUse = text($(root, '.first-use'));
    assert.include(firstUse, `Unit 1: ${h.fingerprint}`);
    assert.include(firstUse, `Unit 2: ${h.fingerprint}`);

    // every request went to a unit URL, with the token, refusing redirects and sending no cookies
    assert.isAbove(h.seen.length, 4);
    for (const s of h.seen) {
      assert.include(URLS, s.url);
      assert.deepEqual([s.method, s.auth, s.redirect, s.credentials, s.contentType], ['POST', `Bearer ${TOKEN}`, 'error', 'omit', 'application/octet-stream']);
    }

    // administrators and thresholds through the engine, on the remote units
    const admins = await createTestAdmins(c, 2, 'P-256');
    const scripted = new ScriptedConsent(admins, []);
    app.consent.host = scripted;
    await app.run({ plan: 'add-admins', certificates: admins.map((a) => a.certificate) });
    await app.run({ plan: 'set-thresholds', sign: 2, revoke: 2 });
    assert.deepEqual(scripted.signerRequests.map((r) => r.required), [2], 'leaving imprint mode: 2 signatures');
    for (const id of ['u1', 'u2']) {
      const client = await h.direct(id);
      assert.deepEqual(await client.attributes(), { signThreshold: 2, revokeThreshold: 2, mode: 'authenticated' }, id);
      assert.sameMembers((await client.adminSkis()).map(hex), admins.map((a) => hex(a.ski)), id);
    }
    await view.updateComplete;
    await waitFor(() => [...root.querySelectorAll('table.unit-table span.thresholds')].map(text).join() === '2 / 2,2 / 2', 'the thresholds shown');
    assert.deepEqual([...root.querySelectorAll('table.unit-table td.mode')].map(text), ['authenticated', 'authenticated']);
    app.consent.host = consent;

    // the token forgotten: the host's 401 in words; typed again in the view: the units answer
    const tokenForm = view.shadowRoot!.querySelector('webtke-unit-token')!.shadowRoot!;
    assert.include(text($(tokenForm, '.token-state')), 'A token is set for this session');
    button(tokenForm, 'Forget the token').click();
    await waitFor(() => root.querySelectorAll('tr.unreachable').length === 2, 'the units refusing without the token');
    assert.include(deepText($(root, 'tr.unreachable')), 'did not accept the access token');
    assert.equal(h.seen[h.seen.length - 1].auth, null, 'sent without a token');
    type($<HTMLInputElement>(tokenForm, '#unit-token'), TOKEN);
    button(tokenForm, 'Use this token').click();
    assert.equal($<HTMLInputElement>(tokenForm, '#unit-token').value, '', 'emptied at once');
    await waitFor(() => root.querySelectorAll('table.unit-table tbody tr:not(.unreachable)').length === 2, 'the units answering again');

    // the token is in no record of the browser's database
    const everything = await wholeDatabase(started.idb);
    assert.include(everything, URLS[0], 'the dump does contain the instance records');
    assert.notInclude(everything, TOKEN);
  });
});
