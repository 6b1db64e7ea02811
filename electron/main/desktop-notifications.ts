// Owns showing the planner's notices as the desktop's notifications. Each shown notification is
// kept referenced until it is closed: one that is garbage-collected loses its click handler.

import { Notification } from 'electron';
import type { DesktopNotice } from './desktop-notice-planner.js';

export class DesktopNotifications {
  private readonly shown = new Map<string, Notification>();

  constructor(private readonly openWindow: () => void) {}

  show(notice: DesktopNotice): void {
    if (!Notification.isSupported()) return;
    this.shown.get(notice.key)?.close();
    const notification = new Notification({
      title: notice.title,
      body: notice.body,
      urgency: notice.urgent ? 'critical' : 'normal',
      timeoutType: notice.urgent ? 'never' : 'default',
    });
    notification.on('click', () => this.openWindow());
    notification.on('close', () => {
      if (this.shown.get(notice.key) === notification) this.shown.delete(notice.key);
    });
    this.shown.set(notice.key, notification);
    notification.show();
  }
}
