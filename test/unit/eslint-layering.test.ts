// The import boundaries are enforced by lint (eslint.config.js, `troupe/layering`): these cases
// show each layer refused what it must not reach, at any depth, and allowed what it may.

import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: REPO });

async function refusals(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO, file) });
  return result!.messages.filter((m) => m.ruleId === 'troupe/layering').map((m) => m.message);
}

describe('import boundaries (troupe/layering)', () => {
  it('shared/ reaches npm packages and shared/ only, at any depth', async () => {
    expect(
      await refusals('shared/a/b/c/x.ts', "import { z } from 'zod';\nimport { y } from '../../../model/index.js';\nexport { z, y };"),
    ).toEqual([]);
    expect(await refusals('shared/a/b/c/x.ts', "import fs from 'node:fs';\nexport { fs };")).toHaveLength(1);
    expect(
      await refusals('shared/a/b/c/x.ts', "import { Agent } from '../../../../electron/agent/agent.js';\nexport { Agent };"),
    ).toHaveLength(1);
    expect(await refusals('shared/x.ts', "import { app } from 'electron';\nexport { app };")).toHaveLength(1);
  });

  it('the agent and CLI run in plain Node: no electron, no shell, no renderer', async () => {
    expect(
      await refusals(
        'electron/agent/deep/er/x.ts',
        "import fs from 'node:fs';\nimport { z } from '../../../../shared/model/jobs.js';\nexport { fs, z };",
      ),
    ).toEqual([]);
    expect((await refusals('electron/agent/x.ts', "import { app } from 'electron';\nexport { app };"))[0]).toMatch(
      /only electron\/main and electron\/preload may import electron/,
    );
    expect(await refusals('electron/cli/x.ts', "import { t } from '../main/tray-meter.js';\nexport { t };")).toHaveLength(1);
    expect(await refusals('electron/agent/a/x.ts', "import { v } from '../../../renderer/view.js';\nexport { v };")).toHaveLength(1);
  });

  it('only electron/main and electron/preload import electron; the renderer is browser code', async () => {
    expect(
      await refusals(
        'electron/main/x.ts',
        "import { app } from 'electron';\nimport { Agent } from '../agent/agent.js';\nexport { app, Agent };",
      ),
    ).toEqual([]);
    expect(await refusals('renderer/features/team/x.ts', "import { z } from '../../../shared/model/jobs.js';\nexport { z };")).toEqual([]);
    expect(await refusals('renderer/x.ts', "import os from 'os';\nexport { os };")).toHaveLength(1);
    expect(await refusals('renderer/x.ts', "import { ipcRenderer } from 'electron';\nexport { ipcRenderer };")).toHaveLength(1);
    expect(await refusals('renderer/x.ts', "const m = import('../electron/agent/agent.js');\nexport { m };")).toHaveLength(1);
  });
});
