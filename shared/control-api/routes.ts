// Owns the control API's route table: every call's request body schema and response type, with
// its method and path from route-paths.ts, once. The agent's server dispatches and validates from it, and one
// typed client (control-client.ts) builds every request from it; no path or response shape is
// written anywhere else. Each route also has the schema of its answer (responses.ts), so a client
// can check what it reads.

import { z, type ZodType } from 'zod';
import { resultTableSchema } from '../model/jobs.js';
import { BYTE_ROUTE_PATHS, ROUTE_PATHS, type HttpMethod, type ParamsOf, type RoutePathName } from './route-paths.js';
import {
  addNearbyBody,
  inspectSceneBody,
  jobPriorityBody,
  presenceBody,
  renameBody,
  sharingBody,
  startPairingBody,
  submitJobBody,
  commandJobBody,
  teamNameBody,
} from './index.js';
import {
  agentStatusSchema,
  capacityHistorySchema,
  loginLinkSchema,
  openedFolderSchema,
  engineActionSchema,
  engineActionDoneSchema,
  sceneInfoSchema,
  uploadSchema,
  jobPreviewSchema,
  jobViewSchema,
  nearbyDeviceSchema,
  pairingSchema,
  pairRequestSchema,
  taskViewSchema,
  teamViewSchema,
} from './responses.js';



interface RouteSpec<Body, BodyIn, Response, Path extends string> {
  method: HttpMethod;
  /** With `:name` segments from PARAM_PATTERNS. */
  path: Path;
  body: ZodType<Body, BodyIn> | null;
  /** What the call answers, for clients that check what they read. */
  answer: ZodType<Response>;
  /** Types only: what the body is once checked, what a caller may send, and what the call answers. */
  checkedBody?: Body;
  sentBody?: BodyIn;
  response?: Response;
}

/** `route(name, body).answers(schema)`: the method and path are route-paths.ts's, the path a literal type so its parameters are typed. */
function route<N extends RoutePathName, Body = undefined, BodyIn = undefined>(name: N, body: ZodType<Body, BodyIn> | null = null) {
  const { method, path } = ROUTE_PATHS[name];
  return {
    answers: <S extends ZodType>(answer: S): RouteSpec<Body, BodyIn, z.output<S>, (typeof ROUTE_PATHS)[N]['path']> => ({
      method,
      path,
      body,
      answer: answer as ZodType<z.output<S>>,
    }),
  };
}

/** `{ removed: true }` and the like. */
function done<K extends string>(key: K) {
  return z.object({ [key]: z.literal(true) } as Record<K, z.ZodLiteral<true>>);
}

export const CONTROL_ROUTES = {
  status: route('status').answers(agentStatusSchema),
  nearby: route('nearby').answers(z.array(nearbyDeviceSchema)),
  addNearby: route('addNearby', addNearbyBody).answers(nearbyDeviceSchema),
  team: route('team').answers(teamViewSchema.nullable()),
  renameTeam: route('renameTeam', teamNameBody).answers(teamViewSchema),
  removeMember: route('removeMember').answers(done('removed')),
  startPairing: route('startPairing', startPairingBody).answers(pairingSchema),
  pairing: route('pairing').answers(pairingSchema),
  confirmPairing: route('confirmPairing').answers(pairingSchema),
  declinePairing: route('declinePairing').answers(done('declined')),
  pairRequests: route('pairRequests').answers(z.array(pairRequestSchema)),
  acceptRequest: route('acceptRequest').answers(done('accepted')),
  rejectRequest: route('rejectRequest').answers(done('rejected')),
  setSharing: route('setSharing', sharingBody).answers(agentStatusSchema),
  rename: route('rename', renameBody).answers(agentStatusSchema),
  submitJob: route('submitJob', submitJobBody).answers(jobViewSchema),
  previewJob: route('previewJob', submitJobBody).answers(jobPreviewSchema),
  commandJob: route('commandJob', commandJobBody).answers(z.object({ job: jobViewSchema.nullable(), preview: jobPreviewSchema.nullable() })),
  jobs: route('jobs').answers(z.array(jobViewSchema)),
  job: route('job').answers(z.object({ job: jobViewSchema, tasks: z.array(taskViewSchema) })),
  jobSummary: route('jobSummary').answers(jobViewSchema),
  cancelJob: route('cancelJob').answers(jobViewSchema),
  pauseJob: route('pauseJob').answers(jobViewSchema),
  resumeJob: route('resumeJob').answers(jobViewSchema),
  setJobPriority: route('setJobPriority', jobPriorityBody).answers(jobViewSchema),
  openOutput: route('openOutput').answers(openedFolderSchema),
  inspectScene: route('inspectScene', inspectSceneBody).answers(sceneInfoSchema),
  capacityHistory: route('capacityHistory').answers(capacityHistorySchema),
  setPresence: route('setPresence', presenceBody).answers(agentStatusSchema),
  loginLink: route('loginLink').answers(loginLinkSchema),
  jobTable: route('jobTable').answers(resultTableSchema),
  engineActions: route('engineActions').answers(z.array(engineActionSchema)),
  runEngineAction: route('runEngineAction').answers(engineActionDoneSchema),
} as const;

/** The byte routes (route-paths.ts), the upload's answer with its schema. */
export const BYTE_ROUTES = {
  taskImage: BYTE_ROUTE_PATHS.taskImage,
  upload: { ...BYTE_ROUTE_PATHS.upload, answer: uploadSchema },
} as const;


export type ControlRoutes = typeof CONTROL_ROUTES;
export type RouteName = keyof ControlRoutes;
export type RouteResponse<N extends RouteName> = Exclude<ControlRoutes[N]['response'], undefined>;
/** What a route's body accepts on the wire (defaults may be left out); undefined: no body. */
export type RouteBody<N extends RouteName> =
  Exclude<ControlRoutes[N]['sentBody'], undefined> extends never ? undefined : Exclude<ControlRoutes[N]['sentBody'], undefined>;
/** A route's body once checked (defaults filled in). */
export type RouteCheckedBody<N extends RouteName> =
  Exclude<ControlRoutes[N]['checkedBody'], undefined> extends never ? undefined : Exclude<ControlRoutes[N]['checkedBody'], undefined>;

export type RouteParams<N extends RouteName> = ParamsOf<ControlRoutes[N]['path']>;


// The zod-free half, for those who import routes from here.
export { BYTE_ROUTE_PATHS, EVENTS_PATH, matchByteRoute, matchRoute, pathOf, ROUTE_PATHS } from './route-paths.js';
export type { ByteRouteName, ByteRouteParams, HttpMethod, ParamName, RouteMatch } from './route-paths.js';
