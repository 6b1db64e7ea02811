import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentStateFiles } from '../../../../../electron/agent/storage/agent-state-files.js';

describe('AgentStateFiles', () => {
  it('moves a protocol-1 team file aside instead of failing to start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-state-'));
    const v1 = {
      ops: [
        {
          kind: 'create',
          teamId: 'a'.repeat(32),
          teamName: 't',
          subject: 'b'.repeat(64),
          subjectName: 'x',
          subjectCert: 'PEM',
          by: 'b'.repeat(64),
          clock: 1,
          atMs: 0,
          sig: 'c2ln',
        },
      ],
      addresses: {},
    };
    writeFileSync(join(dir, 'team.json'), JSON.stringify(v1));
    const team = await new AgentStateFiles(dir).readTeam();
    expect(team.ops).toEqual([]);
    expect(team.movedAside).toBe(join(dir, 'team.protocol1.json'));
    expect(JSON.parse(readFileSync(team.movedAside!, 'utf8'))).toEqual(v1);
    expect(existsSync(join(dir, 'team.json'))).toBe(false);
  });

  it('still refuses a damaged team file rather than silently resetting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-state-'));
    writeFileSync(join(dir, 'team.json'), '{"ops": [{"kind": 1}]}');
    await expect(new AgentStateFiles(dir).readTeam()).rejects.toThrow(/damaged/);
  });
});
