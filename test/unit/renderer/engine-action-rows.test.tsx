// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { TroupeError } from '../../../shared/errors.js';
import { EngineActionRows } from '../../../renderer/src/capacity/engine-action-rows.js';
import { fakeAgent, renderWithAgent } from './fake-agent.js';

afterEach(cleanup);

const addon = { engine: 'blender', action: 'install-addon', title: 'Install the Blender add-on', command: 'blender-addon' };

describe("this machine's engine actions", () => {
  it('shows each action the engines offer as a button, runs it through the agent and says what it did', async () => {
    const agent = fakeAgent({ engineActions: [addon], runEngineAction: { message: 'Installed the Troupe add-on in Blender 3.4.1 (/home/u/addons); restart Blender.', details: {} } });
    await renderWithAgent(<EngineActionRows />, agent);
    await act(async () => fireEvent.click(await screen.findByRole('button', { name: 'Install the Blender add-on' }, { timeout: 30_000 })));
    expect(agent.calls.filter((c) => c.name === 'runEngineAction').map((c) => c.args[0])).toEqual([{ engine: 'blender', action: 'install-addon' }]);
    expect(screen.getByRole('status').textContent).toBe('Installed the Troupe add-on in Blender 3.4.1 (/home/u/addons); restart Blender.');
  });

  it("shows the agent's words when the action cannot be done (no Blender here)", async () => {
    const agent = fakeAgent({ engineActions: [addon], runEngineAction: new TroupeError('not-found', 'Blender was not found on this computer. Install Blender, or set its path (TROUPE_BLENDER), then try again.') });
    await renderWithAgent(<EngineActionRows />, agent);
    await act(async () => fireEvent.click(await screen.findByRole('button', { name: 'Install the Blender add-on' }, { timeout: 30_000 })));
    expect(screen.getByRole('alert').textContent).toMatch(/^Blender was not found on this computer/);
  });

  it('shows nothing when no engine here offers anything', async () => {
    const agent = fakeAgent({ engineActions: [] });
    await renderWithAgent(<EngineActionRows />, agent);
    await act(async () => undefined);
    expect(screen.queryByRole('button')).toBeNull();
  });
});
