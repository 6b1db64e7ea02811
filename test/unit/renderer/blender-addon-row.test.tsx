// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { TroupeError } from '../../../shared/errors.js';
import { BlenderAddonRow } from '../../../renderer/src/capacity/blender-addon-row.js';
import { fakeAgent, renderWithAgent } from './fake-agent.js';

afterEach(cleanup);

describe('Install the Blender add-on', () => {
  it('installs through the agent and says where to find it', async () => {
    const agent = fakeAgent({ installBlenderAddon: { installedTo: '/home/u/.config/blender/3.4/scripts/addons/troupe_addon', blenderVersion: '3.4.1', blenderPath: '/usr/bin/blender' } });
    await renderWithAgent(<BlenderAddonRow />, agent);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Install the Blender add-on' })));
    expect(agent.calls.map((c) => c.name)).toContain('installBlenderAddon');
    expect(screen.getByRole('status').textContent).toBe('Installed in Blender 3.4.1: restart Blender, then find Troupe under Render properties.');
  });

  it("shows the agent's words when this machine has no Blender", async () => {
    const agent = fakeAgent({ installBlenderAddon: new TroupeError('not-found', 'Blender was not found on this computer. Install Blender, or set its path (TROUPE_BLENDER), then try again.') });
    await renderWithAgent(<BlenderAddonRow />, agent);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Install the Blender add-on' })));
    expect(screen.getByRole('alert').textContent).toMatch(/^Blender was not found on this computer/);
  });
});
