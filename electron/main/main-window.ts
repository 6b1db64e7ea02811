// Owns the one app window: created on demand with every web preference the security checklist
// asks for, shown when ready, focused when asked again. Closing it destroys it (the renderer's
// memory goes back) while the app lives on in the tray; opening it again makes a new one.

import { BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from './app-origin.js';

export const WINDOW_TITLE = 'Troupe';

export class MainWindow {
  private window: BrowserWindow | null = null;

  constructor(private readonly preloadPath: string) {}

  /** The window if it is open (for sending it events). */
  get current(): BrowserWindow | null {
    return this.window && !this.window.isDestroyed() ? this.window : null;
  }

  /** Opens the window, or brings the open one forward. */
  show(): void {
    const existing = this.current;
    if (existing) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return;
    }
    this.window = this.create();
  }

  private create(): BrowserWindow {
    const win = new BrowserWindow({
      title: WINDOW_TITLE,
      width: 1280,
      height: 820,
      minWidth: 720,
      minHeight: 480,
      show: false,
      backgroundColor: '#111318',
      webPreferences: {
        preload: this.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        safeDialogs: true,
        spellcheck: false,
      },
    });
    // The title is the app's, whatever the page's <title> says (the smoke test reads it).
    win.on('page-title-updated', (event) => event.preventDefault());
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (this.window === win) this.window = null;
    });
    void win.loadURL(APP_ENTRY_URL);
    return win;
  }
}
