// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { TeamBoard } from '../../../renderer/src/team/team-board.js';
import { RENDER_BOX_ID, fakeAgent, member, nearbyDevice, pairing, renderWithAgent, settle, team } from './fake-agent.js';

afterEach(cleanup);

describe('team board', () => {
  it('shows nearby machines as cards and the team members', async () => {
    const agent = fakeAgent({
      nearby: [nearbyDevice(), nearbyDevice({ deviceId: 'd'.repeat(64), name: 'old-mac', os: 'darwin', member: true })],
      team: team([member(), member({ deviceId: 'e'.repeat(64), name: 'attic', self: false, online: false, capacity: null })]),
    });
    await renderWithAgent(<TeamBoard />, agent);
    const nearby = screen.getByRole('region', { name: 'Nearby' });
    const card = within(nearby).getByRole('listitem', { name: 'render-box' });
    expect(card.textContent).toContain('Linux');
    expect(card.textContent).toContain('32');
    expect(card.textContent).toContain('128 GB');
    expect(card.textContent).toContain('builtin-render');
    // A machine already on the team is not offered again.
    expect(within(nearby).queryByRole('listitem', { name: 'old-mac' })).toBeNull();

    const myTeam = screen.getByRole('region', { name: 'My team' });
    expect(within(myTeam).getByRole('listitem', { name: 'studio-pc' }).textContent).toContain('online');
    expect(within(myTeam).getByRole('listitem', { name: 'attic' }).textContent).toContain('offline');
    expect(within(myTeam).getByRole('meter', { name: 'studio-pc load' }).getAttribute('aria-valuenow')).toBe('25');
  });

  it('says what to do when nobody is nearby', async () => {
    await renderWithAgent(<TeamBoard />, fakeAgent());
    expect(screen.getByText('No machines nearby. Start Troupe on another computer on this network, or add one by address.')).toBeTruthy();
  });

  it('starts pairing from the keyboard, shows the code and confirms it', async () => {
    const agent = fakeAgent({ nearby: [nearbyDevice()], startPairing: pairing(), confirmPairing: pairing({ confirmed: true }) });
    await renderWithAgent(<TeamBoard />, agent);
    const add = screen.getByRole('button', { name: 'Add render-box to team' });
    add.focus();
    // Enter on a focused button is a click for browsers; Testing Library needs both spelled out.
    fireEvent.keyDown(add, { key: 'Enter', code: 'Enter' });
    fireEvent.click(add);
    await act(settle);
    expect(agent.calls.find((c) => c.name === 'startPairing')?.args).toEqual([{ target: RENDER_BOX_ID }]);
    expect(screen.getByTestId('pairing-code').textContent).toBe('482 913');

    fireEvent.click(screen.getByRole('button', { name: 'Codes match — confirm' }));
    await act(settle);
    expect(agent.calls.find((c) => c.name === 'confirmPairing')?.args).toEqual([{ pairingId: '1a2b' }]);
    expect(screen.getByText(/Waiting for render-box's owner to approve/)).toBeTruthy();
  });

  it('shows why a pairing ended, from its event', async () => {
    const agent = fakeAgent({ nearby: [nearbyDevice()] });
    await renderWithAgent(<TeamBoard />, agent);
    act(() =>
      agent.emit({
        type: 'pairingChanged',
        pairing: pairing({ state: 'failed', error: { code: 'pairing-code-mismatch', message: 'The codes did not match' } }),
      }),
    );
    const panel = screen.getByRole('region', { name: 'Pairing with render-box' });
    expect(within(panel).getByRole('alert').textContent).toContain('The codes did not match');
  });

  it('has a keyboard drag handle on each card', async () => {
    await renderWithAgent(<TeamBoard />, fakeAgent({ nearby: [nearbyDevice()] }));
    const handle = screen.getByRole('button', { name: 'Drag render-box onto My team' });
    expect(handle.getAttribute('aria-roledescription')).toBe('draggable');
  });

  it('reports an unreachable address in the agent’s words', async () => {
    const { TroupeError } = await import('../../../shared/errors.js');
    const agent = fakeAgent({ addNearby: new TroupeError('peer-unreachable', 'No Troupe agent answered at 10.0.0.9:47800') });
    await renderWithAgent(<TeamBoard />, agent);
    fireEvent.change(screen.getByRole('textbox', { name: 'Add a machine by address' }), { target: { value: '10.0.0.9:47800' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add by address' }));
    await act(settle);
    expect(screen.getByRole('alert').textContent).toBe('No Troupe agent answered at 10.0.0.9:47800');
  });

  it('asks before removing a member', async () => {
    const other = member({ deviceId: RENDER_BOX_ID, name: 'render-box', self: false });
    const agent = fakeAgent({ team: team([member(), other]), removeMember: { removed: true } });
    await renderWithAgent(<TeamBoard />, agent);
    fireEvent.click(screen.getByRole('button', { name: 'Remove render-box' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove render-box from the team?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await act(settle);
    expect(agent.calls.find((c) => c.name === 'removeMember')?.args).toEqual([{ member: RENDER_BOX_ID }]);
  });
});

describe('after pairing', () => {
  it('moves the card into the team when teamChanged says so', async () => {
    const agent = fakeAgent({ nearby: [nearbyDevice()], team: team() });
    await renderWithAgent(<TeamBoard />, agent);
    expect(screen.getByRole('listitem', { name: 'render-box' }).dataset.testid).toBe('nearby-card');
    act(() => agent.emit({ type: 'teamChanged', team: team([member(), member({ deviceId: RENDER_BOX_ID, name: 'render-box', self: false })]) }));
    expect(screen.getByRole('listitem', { name: 'render-box' }).dataset.testid).toBe('team-member');
  });
});
