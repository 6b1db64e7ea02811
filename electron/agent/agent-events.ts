// Owns the agent's event stream for the UI, the CLI and the tray: one hub every part emits into
// and every control-API client subscribes to.

import { EventEmitter } from 'node:events';
import type { ControlEvent } from '../../shared/control-api/index.js';

export class AgentEvents {
  private readonly emitter = new EventEmitter<{ event: [ControlEvent] }>();

  constructor() {
    // Every open window and `troupe agent --json` is a listener; none of them is a leak.
    this.emitter.setMaxListeners(0);
  }

  emit(event: ControlEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: ControlEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
