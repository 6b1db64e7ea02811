// Owns the schemas and paths of the agent's state files: settings.json (name, sharing) and
// team.json (roster ops and the last addresses where each teammate answered).

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
}

export class AgentStateFiles {
  constructor(private readonly dataDir: string) {}

  readSettings(): Promise<Settings> {
    return readJsonFile(join(this.dataDir, 'settings.json'), settingsSchema, {});
  }
  writeSettings(settings: { name: string; sharing: SharingSetting }): Promise<void> {
    return writeJsonFile(join(this.dataDir, 'settings.json'), settings);
  }
  readTeam(): Promise<TeamFile> {
    return readJsonFile(join(this.dataDir, 'team.json'), teamFileSchema, { ops: [], addresses: {} });
  }
  writeTeam(team: TeamFile): Promise<void> {
    return writeJsonFile(join(this.dataDir, 'team.json'), team);
  }
}
