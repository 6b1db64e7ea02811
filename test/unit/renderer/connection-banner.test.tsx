// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { fakeAgent, renderWithAgent } from './fake-agent.js';

afterEach(cleanup);

describe('connection banner', () => {
  it('says the agent is not reachable while the event stream is closed, and disables what needs it', async () => {
    const agent = fakeAgent();
    await renderWithAgent(<App />, agent);
    expect(screen.queryByTestId('agent-unreachable')).toBeNull();
    expect(screen.getByRole('button', { name: 'Pause sharing' }).hasAttribute('disabled')).toBe(false);

    act(() => agent.setStream('closed'));
    expect(screen.getByTestId('agent-unreachable').textContent).toMatch(/^Agent not reachable/);
    expect(screen.getByRole('button', { name: 'Pause sharing' }).hasAttribute('disabled')).toBe(true);

    act(() => agent.setStream('open'));
    expect(screen.queryByTestId('agent-unreachable')).toBeNull();
  });

  it('shows the team capacity in the header', async () => {
    await renderWithAgent(<App />, fakeAgent());
    expect(screen.getByTestId('team-capacity').textContent).toMatch(/^No team yet: 1 machine · \d+ cores · \d+ % busy$/);
  });
});
