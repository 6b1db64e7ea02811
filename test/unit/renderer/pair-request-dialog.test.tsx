// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PairRequestDialog } from '../../../renderer/src/team/pair-request-dialog.js';
import { fakeAgent, pairRequest, renderWithAgent, settle } from './fake-agent.js';

afterEach(cleanup);

describe('pairing request dialog', () => {
  it('appears on pairRequestReceived with name, team, code and countdown, and approves', async () => {
    const agent = fakeAgent({ acceptRequest: { accepted: true } });
    await renderWithAgent(<PairRequestDialog />, agent);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    act(() => agent.emit({ type: 'pairRequestReceived', request: pairRequest() }));
    const dialog = screen.getByRole('alertdialog', { name: 'Pairing request from laptop' });
    expect(dialog.textContent).toContain('Motion');
    expect(within(dialog).getByTestId('request-code').textContent).toBe('105 577');
    expect(within(dialog).getByRole('timer').textContent).toMatch(/Expires in 4[45] s/);
    // Focus starts inside, on the harmless choice.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Reject' }));

    fireEvent.click(within(dialog).getByRole('button', { name: 'Approve' }));
    await act(settle);
    expect(agent.calls.find((c) => c.name === 'acceptRequest')?.args).toEqual([{ requestId: '9f' }]);
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('rejects with the Reject button', async () => {
    const agent = fakeAgent({ pairRequests: [pairRequest()], rejectRequest: { rejected: true } });
    await renderWithAgent(<PairRequestDialog />, agent);
    fireEvent.click(screen.getByRole('button', { name: 'Reject' }));
    await act(settle);
    expect(agent.calls.find((c) => c.name === 'rejectRequest')?.args).toEqual([{ requestId: '9f' }]);
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('rejects on Escape and keeps Tab inside the dialog', async () => {
    const agent = fakeAgent({ pairRequests: [pairRequest()], rejectRequest: { rejected: true } });
    await renderWithAgent(<PairRequestDialog />, agent);
    const dialog = screen.getByRole('alertdialog');
    const approve = within(dialog).getByRole('button', { name: 'Approve' });
    approve.focus();
    fireEvent.keyDown(approve, { key: 'Tab' });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Reject' }));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await act(settle);
    expect(agent.calls.some((c) => c.name === 'rejectRequest')).toBe(true);
  });

  it('closes when the agent says the request is over', async () => {
    const agent = fakeAgent({ pairRequests: [pairRequest()] });
    await renderWithAgent(<PairRequestDialog />, agent);
    act(() => agent.emit({ type: 'pairRequestClosed', requestId: '9f', outcome: 'expired' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});
