// Owns the schemas and paths of the agent's state files: settings.json (name, sharing) and
// team.json (roster ops and the last addresses where each teammate answered).

import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { rosterOpSchema, sharingSchema } from '../../../shared/protocol/index.js';
import type { RosterOp } from '../../../shared/protocol/index.js';
import type { SharingSetting } from '../../../shared/model/index.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

const settingsSchema = z.object({
  name: z.string().min(1).max(64).optional(),
  sharing: sharingSchema.optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

const teamFileSchema = z.object({
  ops: z.array(rosterOpSchema),
  addresses: z.record(z.string(), z.array(z.string())).default({}),
});
export interface TeamFile {
  ops: RosterOp[];
  addresses: Record<string, string[]>;
  /** Set when a team file of protocol 1 was moved aside (its ops cannot be read by this version). */
  movedAside?: string;
}

/** A protocol-1 roster op: signed over another canonical form, with no causal references. */
const v1OpSchema = z.object({ kind: z.string(), subject: z.string(), clock: z.number(), sig: z.string() }).refine((op) => !('deps' in op));

export class AgentStateFiles {
  constructor(private readonly dataDir: string) {}

  readSettings(): Promise<Settings> {
    return readJsonFile(join(this.dataDir, 'settings.json'), settingsSchema, {});
  }
  writeSettings(settings: { name: string; sharing: SharingSetting }): Promise<void> {
    return writeJsonFile(join(this.dataDir, 'settings.json'), settings);
  }
  async readTeam(): Promise<TeamFile> {
    const path = join(this.dataDir, 'team.json');
    if (await isProtocol1TeamFile(path)) {
      // Its signatures cover another form and its ops carry no causal past: nothing of it can be
      // checked now. Kept for the record, and the machines pair again.
      const aside = join(this.dataDir, 'team.protocol1.json');
      await rename(path, aside);
      return { ops: [], addresses: {}, movedAside: aside };
    }
    return readJsonFile(path, teamFileSchema, { ops: [], addresses: {} });
  }
  writeTeam(team: TeamFile): Promise<void> {
    return writeJsonFile(join(this.dataDir, 'team.json'), team);
  }
}

async function isProtocol1TeamFile(path: string): Promise<boolean> {
  try {
    const raw = JSON.parse(await readFile(path, 'utf8')) as { ops?: unknown[] };
    return Array.isArray(raw.ops) && raw.ops.length > 0 && v1OpSchema.safeParse(raw.ops[0]).success;
  } catch {
    return false; // missing or damaged: readJsonFile says which
  }
}
