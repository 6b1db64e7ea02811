// Owns the tray icon: the team's capacity as a ring meter drawn at run time (a template image
// on macOS, so the menu bar tints it), redrawn only when the busy share crosses a visible step,
// a tooltip in the header's words, and the menu of tray-menu-model.

import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { SharingSetting } from '../../shared/model/index.js';
import { describeTeamCapacity, type TeamCapacity } from '../../shared/model/team-capacity.js';
import { encodeMeterPng } from './tray-icon-png.js';
import { TrayMeter, type MeterImage } from './tray-meter.js';
import { trayMenuModel, type TrayCommand, type TrayMenuItem, type TrayMenuState } from './tray-menu-model.js';

/** 16-pt icon drawn at 2x. */
const ICON_PX = 32;
const ICON_SCALE = 2;

export class CapacityTray {
  private readonly tray: Tray;
  private readonly meter: TrayMeter;
  private readonly template: boolean;
  private state: TrayMenuState;

  constructor(
    private readonly run: (command: TrayCommand) => void,
    platform: NodeJS.Platform,
    openAtLogin: boolean | null,
  ) {
    this.template = platform === 'darwin';
    this.meter = new TrayMeter(ICON_PX, { template: this.template });
    this.tray = new Tray(this.icon(this.meter.update(0)!));
    this.state = { sharing: null, summary: 'Starting the Troupe agent…', openAtLogin };
    this.tray.setToolTip('Troupe');
    // On Windows and Linux a click on the icon is the usual way to open the app.
    if (platform !== 'darwin') this.tray.on('click', () => run('open'));
    this.renderMenu();
  }

  showCapacity(capacity: TeamCapacity): void {
    const image = this.meter.update(capacity.busyShare);
    if (image) this.tray.setImage(this.icon(image));
    const summary = describeTeamCapacity(capacity);
    this.tray.setToolTip(`Troupe: ${summary}`);
    this.update({ summary });
  }

  /** The agent is away: say so instead of a stale figure. */
  showAgentAway(words: string): void {
    this.tray.setToolTip(`Troupe: ${words}`);
    this.update({ summary: words, sharing: null });
  }

  showSharing(sharing: SharingSetting | null): void {
    this.update({ sharing });
  }

  showOpenAtLogin(openAtLogin: boolean | null): void {
    this.update({ openAtLogin });
  }

  destroy(): void {
    this.tray.destroy();
  }

  private update(change: Partial<TrayMenuState>): void {
    const next = { ...this.state, ...change };
    const same =
      next.summary === this.state.summary &&
      next.openAtLogin === this.state.openAtLogin &&
      JSON.stringify(next.sharing) === JSON.stringify(this.state.sharing);
    this.state = next;
    if (!same) this.renderMenu();
  }

  private renderMenu(): void {
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuModel(this.state).map((item) => this.menuItem(item))));
  }

  private menuItem(item: TrayMenuItem): MenuItemConstructorOptions {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'status':
        return { label: item.label, enabled: false };
      case 'item':
        return { label: item.label, enabled: item.enabled, click: () => this.run(item.command) };
      case 'checkbox':
        return { label: item.label, type: 'checkbox', checked: item.checked, enabled: item.enabled, click: () => this.run(item.command) };
    }
  }

  private icon(image: MeterImage): NativeImage {
    const icon = nativeImage.createFromBuffer(encodeMeterPng(image), { scaleFactor: ICON_SCALE });
    if (this.template) icon.setTemplateImage(true);
    return icon;
  }
}
