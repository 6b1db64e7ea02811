// Owns "Start at login": the OS's login item for the app, started hidden in the tray. macOS and
// Windows have one Electron can set; on Linux (an XDG autostart file) Electron has none, so the
// menu offers nothing there.

import type { App } from 'electron';
import { HIDDEN_FLAG } from './app-options.js';

export class LoginItem {
  constructor(
    private readonly app: App,
    private readonly platform: NodeJS.Platform,
  ) {}

  get supported(): boolean {
    return this.platform === 'darwin' || this.platform === 'win32';
  }

  /** null where the OS has no login item we can set. */
  get enabled(): boolean | null {
    if (!this.supported) return null;
    return this.app.getLoginItemSettings(this.settingsArgs()).openAtLogin;
  }

  set(openAtLogin: boolean): void {
    if (!this.supported) return;
    this.app.setLoginItemSettings({ openAtLogin, ...this.settingsArgs() });
  }

  /** This start came from the login item: stay in the tray. */
  get startedAtLogin(): boolean {
    return this.platform === 'darwin' && this.app.getLoginItemSettings().wasOpenedAtLogin;
  }

  // Windows matches a login item by its arguments too, so reading and writing must use the same.
  private settingsArgs(): { args?: string[] } {
    return this.platform === 'win32' ? { args: [HIDDEN_FLAG] } : {};
  }
}
