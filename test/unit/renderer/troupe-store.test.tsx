// The store without React: slices read the agent once, fold its events, and act through the client.
import { describe, expect, it } from 'vitest';
import { CAPACITY_HISTORY_MS } from '../../../shared/control-api/responses.js';
import { TroupeError } from '../../../shared/errors.js';
import { createTroupeStore, reduceEvent } from '../../../renderer/src/store/index.js';
import {
  JOB_ID,
  RENDER_BOX_ID,
  bucketTask,
  fakeAgent,
  makeStore,
  member,
  memoryStorage,
  nearbyDevice,
  pairRequest,
  pairing,
  settle,
  stillJob,
  team,
} from './fake-agent.js';

describe('troupe store', () => {
  it('reads status, team, nearby, requests, jobs and capacity history at once', async () => {
    const agent = fakeAgent({ team: team(), nearby: [nearbyDevice()], jobs: [stillJob()], pairRequests: [pairRequest()] });
    const store = makeStore(agent);
    await store.getState().loadAll();
    const s = store.getState();
    expect(agent.calls.map((c) => c.name).sort()).toEqual(['capacityHistory', 'jobs', 'nearby', 'pairRequests', 'status', 'team']);
    expect(s.loaded).toBe(true);
    expect(s.team?.members).toHaveLength(1);
    expect(s.nearby[0]?.name).toBe('render-box');
    expect(s.jobs[JOB_ID]?.state).toBe('running');
    expect(s.pairRequests).toHaveLength(1);
    expect(s.status?.name).toBe('studio-pc');
  });

  it('applies events that arrive during the first read after it, so an older answer never wins', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const agent = fakeAgent({ nearby: async () => (await gate, []) });
    const store = makeStore(agent);
    const loading = store.getState().loadAll();
    store.getState().applyEvent({ type: 'nearbyChanged', changed: [nearbyDevice()], gone: [] });
    expect(store.getState().nearby).toEqual([]);
    release();
    await loading;
    expect(store.getState().nearby.map((d) => d.name)).toEqual(['render-box']);
  });

  it('says why the first read failed, and reads again when the stream comes back', async () => {
    let fail = true;
    const agent = fakeAgent({
      status: async () => {
        if (fail) throw new TroupeError('unauthorized', 'Sign in again: the login link has expired');
        return (await import('./fake-agent.js')).status();
      },
    });
    const store = makeStore(agent);
    store.getState().start();
    await settle();
    expect(store.getState().loadError).toBe('Sign in again: the login link has expired');
    fail = false;
    agent.setStream('open');
    await settle();
    expect(store.getState().loadError).toBeNull();
    expect(store.getState().loaded).toBe(true);
  });

  it('re-reads everything after a reconnect (events were missed)', async () => {
    const agent = fakeAgent();
    const store = makeStore(agent);
    store.getState().start();
    agent.setStream('open');
    await settle();
    const before = agent.calls.filter((c) => c.name === 'status').length;
    agent.setStream('closed');
    expect(store.getState().eventStream).toBe('closed');
    agent.setStream('open');
    await settle();
    expect(agent.calls.filter((c) => c.name === 'status').length).toBe(before + 1);
  });

  it('folds team, presence, nearby and pairing events', async () => {
    const store = makeStore(fakeAgent());
    const apply = store.getState().applyEvent;
    apply({ type: 'teamChanged', team: team([member(), member({ deviceId: RENDER_BOX_ID, name: 'render-box', self: false })]) });
    apply({ type: 'memberOffline', deviceId: RENDER_BOX_ID, name: 'render-box', reason: 'heartbeats stopped' });
    expect(store.getState().team?.members.find((m) => m.deviceId === RENDER_BOX_ID)?.online).toBe(false);
    apply({ type: 'memberOnline', deviceId: RENDER_BOX_ID, name: 'render-box' });
    expect(store.getState().team?.members.find((m) => m.deviceId === RENDER_BOX_ID)?.online).toBe(true);

    // Nearby comes as what changed: new or changed devices by id, and ids gone; kept by name.
    apply({ type: 'nearbyChanged', changed: [nearbyDevice(), nearbyDevice({ deviceId: 'c'.repeat(64), name: 'laptop' })], gone: [] });
    apply({ type: 'nearbyChanged', changed: [nearbyDevice({ name: 'attic-box' })], gone: [] });
    expect(store.getState().nearby.map((d) => d.name)).toEqual(['attic-box', 'laptop']);
    apply({ type: 'nearbyChanged', changed: [], gone: [RENDER_BOX_ID] });
    expect(store.getState().nearby.map((d) => d.name)).toEqual(['laptop']);

    apply({ type: 'pairingChanged', pairing: pairing() });
    apply({ type: 'pairingChanged', pairing: pairing({ state: 'paired', confirmed: true }) });
    expect(store.getState().pairings).toEqual([pairing({ state: 'paired', confirmed: true })]);

    apply({ type: 'pairRequestReceived', request: pairRequest() });
    expect(store.getState().pairRequests).toHaveLength(1);
    apply({ type: 'pairRequestClosed', requestId: pairRequest().requestId, outcome: 'expired' });
    expect(store.getState().pairRequests).toHaveLength(0);

    apply({ type: 'pairingLocked', untilMs: 5, abandoned: 3, reason: 'Pairing is paused for 5 minutes' });
    expect(store.getState().notices.map((n) => n.text)).toContain('Pairing is paused for 5 minutes');
  });

  it('keeps tasks by job and the latest job view', () => {
    const state = makeStore(fakeAgent()).getState();
    const changes = reduceEvent(state, { type: 'taskChanged', jobId: JOB_ID, task: bucketTask(0, 'done', RENDER_BOX_ID) });
    expect(Object.keys(changes.tasksByJob?.[JOB_ID] ?? {})).toEqual([`${JOB_ID}:b1.0`]);
    const job = reduceEvent(state, { type: 'jobChanged', job: stillJob({ state: 'paused' }) });
    expect(job.jobs?.[JOB_ID]?.state).toBe('paused');
  });

  it('keeps ten minutes of capacity samples and skips repeats', () => {
    const store = makeStore(fakeAgent());
    const apply = store.getState().applyEvent;
    const sample = (atMs: number) => ({ type: 'capacitySampled' as const, sample: { atMs, members: [] } });
    apply(sample(0));
    apply(sample(5000));
    apply(sample(5000));
    expect(store.getState().capacitySamples).toHaveLength(2);
    apply(sample(CAPACITY_HISTORY_MS + 1000));
    expect(store.getState().capacitySamples.map((s) => s.atMs)).toEqual([5000, CAPACITY_HISTORY_MS + 1000]);
  });

  it('starts pairing with the device id and drops a request once answered', async () => {
    const agent = fakeAgent({ startPairing: pairing(), acceptRequest: { accepted: true } });
    const store = makeStore(agent);
    await store.getState().startPairing(RENDER_BOX_ID);
    expect(agent.calls.at(-1)).toEqual({ name: 'startPairing', args: [{ target: RENDER_BOX_ID }] });
    expect(store.getState().pairings[0]?.code).toBe('482913');

    store.getState().applyEvent({ type: 'pairRequestReceived', request: pairRequest() });
    await store.getState().acceptRequest('9f');
    expect(agent.calls.at(-1)).toEqual({ name: 'acceptRequest', args: [{ requestId: '9f' }] });
    expect(store.getState().pairRequests).toHaveLength(0);
  });

  it('merges a job read with tasks that changed meanwhile', async () => {
    const agent = fakeAgent({ job: { job: stillJob(), tasks: [bucketTask(0, 'queued', null), bucketTask(1, 'queued', null)] } });
    const store = makeStore(agent);
    store.getState().applyEvent({ type: 'taskChanged', jobId: JOB_ID, task: bucketTask(0, 'done', RENDER_BOX_ID) });
    await store.getState().loadJob(JOB_ID);
    const tasks = store.getState().tasksByJob[JOB_ID]!;
    expect(tasks[`${JOB_ID}:b1.0`]?.state).toBe('done');
    expect(tasks[`${JOB_ID}:b1.1`]?.state).toBe('queued');
  });

  it('remembers the theme', () => {
    const storage = memoryStorage();
    const deps = { client: fakeAgent().client, now: () => 0, storage };
    const store = createTroupeStore(deps);
    expect(store.getState().theme).toBe('dark');
    store.getState().setTheme('light');
    expect(createTroupeStore(deps).getState().theme).toBe('light');
  });
});
