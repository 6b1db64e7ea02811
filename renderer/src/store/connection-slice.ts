import type { EventStreamState } from '../../../shared/control-api/control-client.js';
import type { ControlEvent } from '../../../shared/control-api/responses.js';
import type { JobView } from '../../../shared/model/jobs.js';
import { trimSamples } from './capacity-slice.js';
import type { SliceCreator, TroupeState } from './troupe-state.js';

export interface ConnectionSlice {
  /** The event stream: while it is not 'open', what the screen shows may be stale. */
  eventStream: EventStreamState;
  /** The first full read of the agent's state has arrived. */
  loaded: boolean;
  /** Why the last full read failed, in the agent's (or the transport's) words. */
  loadError: string | null;
  /** Opens the event stream and reads everything; again after each reconnect. Returns a stop function. */
  start(): () => void;
  /** Reads status, team, nearby, requests, jobs and capacity history at once. */
  loadAll(): Promise<void>;
  /** Folds one agent event into every slice. */
  applyEvent(event: ControlEvent): void;
}

export const createConnectionSlice =
  (reduce: (state: TroupeState, event: ControlEvent) => Partial<TroupeState>): SliceCreator<ConnectionSlice> =>
  (set, get, { client }) => {
    // Events that arrive while a full read is under way wait for it, so an older answer never
    // overwrites what an event already said.
    let buffered: ControlEvent[] | null = null;

    return {
      eventStream: 'connecting',
      loaded: false,
      loadError: null,
      start() {
        let wasOpen = false;
        const stop = client.subscribe(
          (event) => {
            // bench:ui reads this mark and the painter's to time a bucket's event to its pixels.
            if (event.type === 'taskChanged' && event.task.state === 'done') performance.mark(`troupe:task-done:${event.task.taskId}`);
            get().applyEvent(event);
          },
          (s) => {
            set({ eventStream: s });
            // Events were missed while the stream was down (or the first read failed): read everything again.
            if (s === 'open' && (wasOpen || get().loadError !== null)) void get().loadAll();
            if (s === 'open') wasOpen = true;
          },
        );
        void get().loadAll();
        return stop;
      },
      async loadAll() {
        buffered = buffered ?? [];
        try {
          const [status, team, nearby, pairRequests, jobs, history] = await Promise.all([
            client.call('status'),
            client.call('team'),
            client.call('nearby'),
            client.call('pairRequests'),
            client.call('jobs'),
            client.call('capacityHistory'),
          ]);
          set({
            status,
            team,
            nearby,
            pairRequests,
            jobs: Object.fromEntries(jobs.map((j: JobView) => [j.jobId, j])),
            capacitySamples: trimSamples(history.samples),
            capacityIntervalMs: history.intervalMs,
            loaded: true,
            loadError: null,
          });
          // The open job's tasks changed too while nobody listened.
          const open = get().selectedJobId;
          if (open) void get().loadJob(open).catch(() => undefined);
        } catch (err) {
          set({ loadError: err instanceof Error ? err.message : String(err) });
        } finally {
          const pending = buffered ?? [];
          buffered = null;
          for (const event of pending) get().applyEvent(event);
        }
      },
      applyEvent(event) {
        if (buffered) {
          buffered.push(event);
          return;
        }
        set(reduce(get(), event));
      },
    };
  };
