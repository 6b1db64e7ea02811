// Owns which engines this agent knows, by engine id: for each, its wire (the schemas its requests,
// submissions and leases are read with), the job type its coordinator uses and the engine its
// worker runs. Adding an engine is one register call (registered-engines.ts); the control API, the
// journal, the coordinator, the scheduler and the task runner reach engines only through here.

import type { ZodType } from 'zod';
import { TroupeError } from '../../../shared/errors.js';
import type { EngineAdvert, JobSubmission } from '../../../shared/model/jobs.js';
import type { WorkLease } from '../../../shared/protocol/index.js';
import type { CommandLine, CommandVerb, JobType, JobTypes } from '../jobs/job-type.js';
import type { Engine } from './engine.js';
import type { EngineWire } from './engine-wire.js';

interface Entry {
  wire: EngineWire;
  jobType: JobType;
  engine: Engine;
}

export class EngineRegistry implements JobTypes {
  private readonly entries = new Map<string, Entry>();

  /**
   * Both halves of one engine, which must share one wire; an id is registered once. The first
   * engine registered is the one of requests that name none and of teammates that advertise none
   * (agents before 2.2 had the built-in renderer alone).
   */
  register<S extends JobSubmission, R, L extends WorkLease>(jobType: JobType<S, R, L>, engine: Engine<L>): this {
    const id = jobType.wire.id;
    if ((jobType.wire as unknown) !== engine.wire) throw new Error(`job type ${id} registered with the engine of ${engine.wire.id}`);
    if (this.entries.has(id)) throw new Error(`engine ${id} is registered twice`);
    this.entries.set(id, { wire: jobType.wire as unknown as EngineWire, jobType: jobType as unknown as JobType, engine: engine as unknown as Engine });
    return this;
  }

  /** The engine ids this build has, in the order registered. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  jobType(engine: string): JobType {
    return this.entry(engine).jobType;
  }

  engine(engine: string): Engine {
    return this.entry(engine).engine;
  }

  /** What a teammate that advertises no engines runs: the first engine, at no particular version. */
  enginesBeforeAdverts(): EngineAdvert[] {
    const first = this.ids()[0];
    return first ? [{ id: first, version: null }] : [];
  }

  /**
   * A control API request, read with its engine's own schema (a request without `engine` is the
   * first engine's). Throws 'bad-request' naming the field and what is wrong with it.
   */
  parseRequest(raw: unknown): unknown {
    const named = (raw as { engine?: unknown } | null)?.engine;
    const id = named === undefined ? this.ids()[0] : String(named);
    return check(this.entry(id ?? '').wire.request, raw, 'Invalid request');
  }

  /** A submission as the journal kept it, read with its engine's schema; throws in words when it cannot be. */
  parseSubmission(raw: JobSubmission): JobSubmission {
    return check(this.entry(raw.engine).wire.submission, raw, `The settings of this ${raw.engine} job cannot be read`);
  }

  /** A lease as the link read it, read whole with its engine's schema: a worker refuses what its engine cannot read. */
  parseLease(raw: WorkLease): WorkLease {
    return check(this.entry(raw.engine).wire.lease, raw, `This machine could not read the ${raw.engine} task it was given`);
  }

  /** The job type that takes `file` for `verb` on a command line, or words that say which files each verb takes. */
  commandJobType(command: CommandLine): JobType {
    const name = command.file.toLowerCase();
    const verbs: CommandVerb[] = [];
    for (const e of this.entries.values()) {
      for (const v of e.jobType.commands ?? []) {
        if (v.verb !== command.verb) continue;
        verbs.push(v);
        if (v.extensions.some((x) => name.endsWith(x)) && e.jobType.requestFromCommand) return e.jobType;
      }
    }
    if (verbs.length === 0) throw new TroupeError('bad-request', `troupe ${command.verb} is not a command of this version of Troupe`);
    const takes = [...new Set(verbs.flatMap((v) => v.extensions))].join(', ');
    throw new TroupeError('bad-request', `troupe ${command.verb} takes ${takes} files, not "${command.file}". Usage:\n  ${verbs.map((v) => v.usage).join('\n  ')}`);
  }

  /** What this machine's engines offer to do here, for the app's buttons and `troupe <command>`. */
  actions(): { engine: string; action: string; title: string; command: string }[] {
    return [...this.entries.values()].flatMap((e) => (e.engine.actions ?? []).map((a) => ({ engine: e.wire.id, action: a.id, title: a.title, command: a.command })));
  }

  /** Runs an engine's action; 'not-found' when the engine offers none by that id. */
  runAction(engine: string, action: string): Promise<{ message: string; details: Record<string, string> }> {
    const found = this.entry(engine).engine.actions?.find((a) => a.id === action);
    if (!found) throw new TroupeError('not-found', `The ${engine} engine offers no "${action}" here`);
    return found.run();
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
      [...this.entries.values()].map((e) => e.engine.detect().catch((err: Error) => log(`engine ${e.wire.id}: ${err.message}`))),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.engine.close()));
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new TroupeError('bad-request', `This version of Troupe has no engine "${id}"`);
    return entry;
  }
}

/** `raw` read with `schema`, or a 'bad-request' naming the first field that is wrong and why. */
function check<T>(schema: ZodType<T, unknown>, raw: unknown, what: string): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new TroupeError('bad-request', `${what}: ${issue?.path.join('.') || 'body'}: ${issue?.message}`);
}
