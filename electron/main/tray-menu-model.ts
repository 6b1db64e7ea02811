// Owns what the tray menu offers, as data: labels, what is checked or disabled, and which
// command each item runs. The tray turns it into Electron's Menu; kept apart so the choices
// (what "resume" goes back to, when the idle box is greyed) are tested without Electron.

import type { SharingSetting } from '../../shared/model/index.js';

export type TrayCommand = 'open' | 'toggle-pause' | 'toggle-idle-only' | 'toggle-open-at-login' | 'quit';

export type TrayMenuItem =
  | { kind: 'item'; label: string; command: TrayCommand; enabled: boolean }
  | { kind: 'checkbox'; label: string; command: TrayCommand; checked: boolean; enabled: boolean }
  | { kind: 'separator' }
  | { kind: 'status'; label: string };

export interface TrayMenuState {
  /** The agent's sharing setting; null while no agent answers. */
  sharing: SharingSetting | null;
  /** The capacity line ("3 machines · 24 cores · 40 % busy") or a word on the agent's state. */
  summary: string;
  /** null: the OS has no login items we can set (Linux). */
  openAtLogin: boolean | null;
}

export function trayMenuModel(state: TrayMenuState): TrayMenuItem[] {
  const sharing = state.sharing;
  const paused = sharing?.mode === 'off';
  const items: TrayMenuItem[] = [
    { kind: 'status', label: state.summary },
    { kind: 'separator' },
    { kind: 'item', label: 'Open Troupe', command: 'open', enabled: true },
    { kind: 'item', label: paused ? 'Resume sharing' : 'Pause sharing', command: 'toggle-pause', enabled: sharing !== null },
    // While paused nothing is shared, idle or not: the box shows the mode resume will go back to.
    { kind: 'checkbox', label: 'Only when idle', command: 'toggle-idle-only', checked: sharing?.mode === 'idle', enabled: sharing !== null && !paused },
  ];
  if (state.openAtLogin !== null)
    items.push({ kind: 'checkbox', label: 'Start at login', command: 'toggle-open-at-login', checked: state.openAtLogin, enabled: true });
  items.push({ kind: 'separator' }, { kind: 'item', label: 'Quit Troupe', command: 'quit', enabled: true });
  return items;
}

/**
 * Remembers the sharing mode before a pause, so resume goes back to "only when idle" if that
 * was it, and answers the setSharing change each command asks for.
 */
export class SharingToggles {
  private beforePause: 'on' | 'idle' = 'on';

  /** Follow the agent's setting as it changes (from the tray, the window or the CLI). */
  observe(sharing: SharingSetting): void {
    if (sharing.mode !== 'off') this.beforePause = sharing.mode;
  }

  togglePause(sharing: SharingSetting): { mode: 'on' | 'off' | 'idle' } {
    if (sharing.mode === 'off') return { mode: this.beforePause };
    this.beforePause = sharing.mode;
    return { mode: 'off' };
  }

  toggleIdleOnly(sharing: SharingSetting): { mode: 'on' | 'idle' } {
    return { mode: sharing.mode === 'idle' ? 'on' : 'idle' };
  }
}
