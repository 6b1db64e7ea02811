// A stand-in for the agent behind the typed client: canned answers per route, every call
// recorded, and events pushed by hand. Shared by the renderer's store and component tests.

import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { EventStreamState } from '../../../shared/control-api/control-client.js';
import type { AgentStatus, ControlEvent, PairRequest, Pairing } from '../../../shared/control-api/responses.js';
import type { RouteName } from '../../../shared/control-api/routes.js';
import type { NearbyDevice, TeamMember, TeamView } from '../../../shared/model/index.js';
import type { JobView, TaskView } from '../../../shared/model/jobs.js';
import type { AgentConnection, TroupeClient } from '../../../renderer/src/api/agent-connection.js';
import { createTroupeStore, StoreProvider, type TroupeStore } from '../../../renderer/src/store/index.js';

type Answer = unknown | ((...args: unknown[]) => unknown);

export interface FakeAgent {
  client: TroupeClient;
  calls: { name: string; args: unknown[] }[];
  answers: Partial<Record<RouteName, Answer>>;
  taskImages: { jobId: string; taskId: string }[];
  uploads: { uploadId: string; fileName: string }[];
  emit(event: ControlEvent): void;
  setStream(state: EventStreamState): void;
}

export function fakeAgent(answers: Partial<Record<RouteName, Answer>> = {}): FakeAgent {
  const calls: FakeAgent['calls'] = [];
  const taskImages: FakeAgent['taskImages'] = [];
  const uploads: FakeAgent['uploads'] = [];
  let listener: ((e: ControlEvent) => void) | null = null;
  let streamState: ((s: EventStreamState) => void) | null = null;
  const all: Partial<Record<RouteName, Answer>> = { ...defaultAnswers(), ...answers };
  const client = {
    async call(name: RouteName, ...args: unknown[]) {
      calls.push({ name, args });
      const answer = all[name];
      if (answer instanceof Error) throw answer;
      return typeof answer === 'function' ? await answer(...args) : answer;
    },
    async taskImage(params: { jobId: string; taskId: string }) {
      taskImages.push(params);
      return new Uint8Array([137, 80, 78, 71]);
    },
    async upload(params: { uploadId: string; fileName: string }) {
      uploads.push(params);
      return { path: `/tmp/uploads/${params.uploadId}/${params.fileName}`, sizeBytes: 10 };
    },
    subscribe(l: (e: ControlEvent) => void, s: (s: EventStreamState) => void) {
      listener = l;
      streamState = s;
      return () => {
        listener = null;
      };
    },
  } as unknown as TroupeClient;
  return {
    client,
    calls,
    answers: all,
    taskImages,
    uploads,
    emit: (e) => listener?.(e),
    setStream: (s) => streamState?.(s),
  };
}

function defaultAnswers(): Partial<Record<RouteName, Answer>> {
  return {
    status: status(),
    team: null,
    nearby: [],
    pairRequests: [],
    jobs: [],
    capacityHistory: { intervalMs: 5000, samples: [] },
  };
}

export function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

export function makeStore(agent: FakeAgent): TroupeStore {
  return createTroupeStore({ client: agent.client, now: () => 1_000_000, storage: memoryStorage() });
}

/** Renders `ui` with a store on the fake agent, started and with its stream open. */
export async function renderWithAgent(ui: ReactElement, agent: FakeAgent, connection: Partial<AgentConnection> = {}) {
  const store = makeStore(agent);
  store.getState().start();
  agent.setStream('open');
  await settle();
  const conn: AgentConnection = { client: agent.client, pathForFile: () => null, kind: 'browser', ...connection };
  const result = render(
    <StoreProvider store={store} connection={conn}>
      {ui}
    </StoreProvider>,
  );
  return { store, ...result };
}

/** Lets pending promises (the fake's answers) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
}

// ---- Fixtures ----

export const SELF_ID = 'a'.repeat(64);
export const RENDER_BOX_ID = 'b'.repeat(64);
export const LAPTOP_ID = 'c'.repeat(64);
export const JOB_ID = '0123456789abcdef';

export function status(over: Partial<AgentStatus> = {}): AgentStatus {
  return {
    deviceId: SELF_ID,
    deviceIdDisplay: 'AAAAAAA-AAAAAAA',
    name: 'studio-pc',
    version: '0.1.0',
    protocolVersion: 2,
    listenPort: 47800,
    addresses: ['192.168.1.10'],
    team: null,
    sharing: { mode: 'on', coreCap: null },
    capacity: { cores: 16, freeCores: 12, memoryBytes: 64 * 1024 ** 3, freeMemoryBytes: 32 * 1024 ** 3, load: 0.2, sharing: { mode: 'on', coreCap: null } },
    teamFreeCores: 12,
    teamCores: 16,
    transfers: { bytesReceived: 0, blobsReceived: 0 },
    pairingLockedUntilMs: null,
    defaultOutputDir: '/home/ana/Renders',
    userIdleSeconds: null,
    sandbox: { mechanism: 'bubblewrap and control groups (memory, pids)', contained: ['no network', 'the system read-only'], notContained: [] },
    ...over,
  };
}

export function nearbyDevice(over: Partial<NearbyDevice> = {}): NearbyDevice {
  return {
    deviceId: RENDER_BOX_ID,
    name: 'render-box',
    addresses: ['192.168.1.20'],
    port: 47800,
    os: 'linux',
    cores: 32,
    memoryBytes: 128 * 1024 ** 3,
    engines: ['builtin-render'],
    protocolVersion: 2,
    source: 'mdns',
    lastSeenMs: Date.now(),
    member: false,
    ...over,
  };
}

export function member(over: Partial<TeamMember> = {}): TeamMember {
  return {
    deviceId: SELF_ID,
    name: 'studio-pc',
    addedBy: SELF_ID,
    online: true,
    self: true,
    address: null,
    capacity: { cores: 16, freeCores: 12, memoryBytes: 1, freeMemoryBytes: 1, load: 0.25, sharing: { mode: 'on', coreCap: null } },
    lastHeartbeatMs: null,
    ...over,
  };
}

export function team(members: TeamMember[] = [member()]): TeamView {
  return { teamId: 'team1', name: 'Studio', members };
}

export function pairing(over: Partial<Pairing> = {}): Pairing {
  return {
    pairingId: '1a2b',
    target: RENDER_BOX_ID,
    deviceId: RENDER_BOX_ID,
    name: 'render-box',
    code: '482913',
    state: 'awaiting-approval',
    confirmed: false,
    error: null,
    ...over,
  };
}

export function pairRequest(over: Partial<PairRequest> = {}): PairRequest {
  return {
    requestId: '9f',
    deviceId: LAPTOP_ID,
    deviceIdDisplay: 'CCCCCCC-CCCCCCC',
    name: 'laptop',
    teamName: 'Motion',
    address: '192.168.1.30:47800',
    code: '105577',
    expiresAtMs: Date.now() + 45_000,
    ...over,
  };
}

export function stillJob(over: Partial<JobView> = {}): JobView {
  return {
    jobId: JOB_ID,
    submission: {
      name: 'product-shot',
      engine: 'builtin-render',
      kind: 'still',
      scene: 'scene.glb',
      assets: [],
      settings: { width: 200, height: 100, samplesPerPixel: 64, seed: 1, frameStart: 1, frameEnd: 1, fps: 24, format: 'png' },
      outputDir: '/home/ana/Renders/product-shot',
      priority: 0,
    },
    about: { description: 'still, 200×100, 64 samples', images: { width: 200, height: 100, frameStart: 1, frameEnd: 1, still: true }, warnings: [], tables: [] },
    state: 'running',
    createdAtMs: Date.now() - 10_000,
    finishedAtMs: null,
    tasksDone: 0,
    tasksTotal: 3,
    outputs: [],
    errors: [],
    warnings: [],
    ...over,
  };
}

export function bucketTask(index: number, state: TaskView['state'], workerId: string | null): TaskView {
  return {
    taskId: `${JOB_ID}:b1.${index}`,
    kind: 'bucket',
    frames: [1],
    region: { x: index * 100, y: 0, width: 100, height: 100 },
    dependsOn: [],
    cost: 100,
    state,
    attempts: workerId
      ? [
          {
            workerId,
            startedAtMs: 1,
            endedAtMs: state === 'done' ? 2 : null,
            workMs: state === 'done' ? 1500 : null,
            outcome: state === 'done' ? 'done' : state === 'failed' ? 'failed' : 'running',
            speculative: false,
            error: state === 'failed' ? 'out of memory' : null,
            warnings: [],
          },
        ]
      : [],
  };
}
