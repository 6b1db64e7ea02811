import { describe, expect, it } from 'vitest';
import type { ControlEvent } from '../../../../shared/control-api/responses.js';
import type { TeamView } from '../../../../shared/model/index.js';
import { capacityFromEvent, capacityOfSample } from '../../../../electron/main/tray-capacity.js';
import { SharingToggles, trayMenuModel, type TrayMenuItem } from '../../../../electron/main/tray-menu-model.js';

const labels = (items: TrayMenuItem[]) => items.map((i) => (i.kind === 'separator' ? '---' : i.label));
const item = (items: TrayMenuItem[], label: string) => items.find((i) => i.kind !== 'separator' && i.label === label);

describe('tray menu', () => {
  it('offers open, pause, idle-only and quit, with the capacity line on top', () => {
    const items = trayMenuModel({ sharing: { mode: 'on', coreCap: null }, summary: '2 machines · 16 cores · 25 % busy', openAtLogin: null });
    expect(labels(items)).toEqual(['2 machines · 16 cores · 25 % busy', '---', 'Open Troupe', 'Pause sharing', 'Only when idle', '---', 'Quit Troupe']);
    expect(item(items, 'Only when idle')).toMatchObject({ kind: 'checkbox', checked: false, enabled: true });
  });

  it('says resume while paused, greys the idle box, and disables sharing items without an agent', () => {
    const paused = trayMenuModel({ sharing: { mode: 'off', coreCap: null }, summary: '', openAtLogin: false });
    expect(item(paused, 'Resume sharing')).toMatchObject({ enabled: true, command: 'toggle-pause' });
    expect(item(paused, 'Only when idle')).toMatchObject({ enabled: false });
    expect(item(paused, 'Start at login')).toMatchObject({ kind: 'checkbox', checked: false });
    const away = trayMenuModel({ sharing: null, summary: 'agent away', openAtLogin: null });
    expect(item(away, 'Pause sharing')).toMatchObject({ enabled: false });
    expect(item(away, 'Open Troupe')).toMatchObject({ enabled: true });
    expect(item(away, 'Quit Troupe')).toMatchObject({ enabled: true });
  });

  it('resumes to the mode it paused from', () => {
    const toggles = new SharingToggles();
    toggles.observe({ mode: 'idle', coreCap: null });
    expect(toggles.togglePause({ mode: 'idle', coreCap: null })).toEqual({ mode: 'off' });
    expect(toggles.togglePause({ mode: 'off', coreCap: null })).toEqual({ mode: 'idle' });
    toggles.observe({ mode: 'on', coreCap: 4 });
    expect(toggles.togglePause({ mode: 'off', coreCap: 4 })).toEqual({ mode: 'on' });
    expect(toggles.toggleIdleOnly({ mode: 'on', coreCap: null })).toEqual({ mode: 'idle' });
    expect(toggles.toggleIdleOnly({ mode: 'idle', coreCap: null })).toEqual({ mode: 'on' });
  });
});

describe('tray capacity from events', () => {
  const capacity = (cores: number, freeCores: number) => ({
    cores,
    freeCores,
    memoryBytes: 0,
    freeMemoryBytes: 0,
    load: 0,
    sharing: { mode: 'on' as const, coreCap: null },
  });
  const team: TeamView = {
    teamId: 't',
    name: 'studio',
    members: [
      { deviceId: 'a', name: 'a', addedBy: 'a', online: true, self: true, address: null, capacity: capacity(8, 2), lastHeartbeatMs: 1 },
      { deviceId: 'b', name: 'b', addedBy: 'a', online: true, self: false, address: null, capacity: capacity(8, 8), lastHeartbeatMs: 1 },
      { deviceId: 'c', name: 'c', addedBy: 'a', online: false, self: false, address: null, capacity: capacity(32, 0), lastHeartbeatMs: 1 },
    ],
  };

  it('sums a roster change and a load sample the same way', () => {
    expect(capacityFromEvent({ type: 'teamChanged', team })).toEqual({ machines: 2, cores: 16, freeCores: 10, busyShare: 6 / 16 });
    const sample = {
      atMs: 1,
      members: [
        { deviceId: 'a', name: 'a', online: true, cores: 8, busyCores: 6, freeCores: 2 },
        { deviceId: 'b', name: 'b', online: true, cores: 8, busyCores: 0, freeCores: 8 },
        { deviceId: 'c', name: 'c', online: false, cores: 32, busyCores: 0, freeCores: 0 },
      ],
    };
    expect(capacityFromEvent({ type: 'capacitySampled', sample })).toEqual({ machines: 2, cores: 16, freeCores: 10, busyShare: 6 / 16 });
  });

  it('is nothing for other events, and zero busy for an empty team', () => {
    expect(capacityFromEvent({ type: 'memberOnline', deviceId: 'a', name: 'a' } as ControlEvent)).toBeNull();
    expect(capacityOfSample({ atMs: 0, members: [] })).toEqual({ machines: 0, cores: 0, freeCores: 0, busyShare: 0 });
    expect(capacityFromEvent({ type: 'teamChanged', team: null })).toMatchObject({ machines: 0, busyShare: 0 });
  });
});
