// Owns which engines this agent knows, by engine id: for each, the job type its coordinator uses
// and the engine its worker runs. Adding an engine is one register call (registered-engines.ts);
// the coordinator, the scheduler and the task runner look engines up here and know none by name.

import { TroupeError } from '../../../shared/errors.js';
import type { EngineAdvert, JobEngine } from '../../../shared/model/jobs.js';
import type { JobType, JobTypes } from '../jobs/job-type.js';
import type { Engine } from './engine.js';

export class EngineRegistry implements JobTypes {
  private readonly entries = new Map<string, { jobType: JobType; engine: Engine }>();

  /** Both halves of one engine; the ids must agree, and an id is registered once. */
  register<E extends JobEngine>(jobType: JobType<E>, engine: Engine<E>): this {
    if (jobType.engine !== engine.id) throw new Error(`job type ${jobType.engine} registered with engine ${engine.id}`);
    if (this.entries.has(engine.id)) throw new Error(`engine ${engine.id} is registered twice`);
    this.entries.set(engine.id, { jobType: jobType as unknown as JobType, engine: engine as unknown as Engine });
    return this;
  }

  jobType<E extends JobEngine>(engine: E): JobType<E> {
    return this.entry(engine).jobType as unknown as JobType<E>;
  }

  engine<E extends JobEngine>(engine: E): Engine<E> {
    return this.entry(engine).engine as unknown as Engine<E>;
  }

  /** What this machine runs, for capacity (hello, heartbeat) and the coordinator's own worker. */
  adverts(): EngineAdvert[] {
    return [...this.entries.values()].map((e) => e.engine.advert()).filter((a): a is EngineAdvert => a !== null);
  }

  /** The mDNS `engines` entries: the id, and `id/version` where the version matters. */
  announced(): string[] {
    return this.adverts().map((a) => (a.version ? `${a.id}/${a.version}` : a.id));
  }

  /** Looks for every engine on this machine; one that fails to look is simply not advertised. */
  async detect(log: (line: string) => void = () => undefined): Promise<void> {
    await Promise.all(
      [...this.entries.values()].map((e) => e.engine.detect().catch((err: Error) => log(`engine ${e.engine.id}: ${err.message}`))),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.engine.close()));
  }

  private entry(id: string): { jobType: JobType; engine: Engine } {
    const entry = this.entries.get(id);
    if (!entry) throw new TroupeError('bad-request', `This version of Troupe has no engine "${id}"`);
    return entry;
  }
}
