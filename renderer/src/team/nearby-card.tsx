import { useDraggable } from '@dnd-kit/core';
import type { KeyboardEventHandler, PointerEventHandler } from 'react';
import type { NearbyDevice } from '../../../shared/model/index.js';
import { formatAgo, formatBytes, formatOs } from '../format/human-units.js';

interface NearbyCardProps {
  device: NearbyDevice;
  nowMs: number;
  onAdd: (device: NearbyDevice) => void;
  /** A pairing with this device is under way: no second one. */
  busy: boolean;
}

/** A machine found on the network: drag it onto "My team", or press its "Add to team" button. */
export function NearbyCard({ device, nowMs, onAdd, busy }: NearbyCardProps) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, isDragging } = useDraggable({
    id: device.deviceId,
    data: { device },
    disabled: busy,
  });
  const style = transform ? { transform: `translate(${transform.x}px, ${transform.y}px)` } : undefined;
  return (
    <li
      ref={setNodeRef}
      className={`nearby-card${isDragging ? ' is-dragging' : ''}`}
      style={style}
      aria-label={device.name}
      data-testid="nearby-card"
      data-device-id={device.deviceId}
      // Pointer drags start anywhere on the card (after a few pixels, so clicks still click);
      // the keyboard drag lives on the handle, so Enter on a button never starts one.
      onPointerDown={listeners?.onPointerDown as PointerEventHandler | undefined}
    >
      <div className="card-head">
        <button
          ref={setActivatorNodeRef}
          type="button"
          className="drag-handle"
          aria-label={`Drag ${device.name} onto My team`}
          {...attributes}
          onKeyDown={listeners?.onKeyDown as KeyboardEventHandler | undefined}
        >
          <span aria-hidden="true">⠿</span>
        </button>
        <h3 className="card-title">{device.name}</h3>
        {device.source === 'manual' && <span className="tag">added by address</span>}
      </div>
      <dl className="facts">
        <dt>OS</dt>
        <dd>{formatOs(device.os)}</dd>
        <dt>Cores</dt>
        <dd>{device.cores}</dd>
        <dt>Memory</dt>
        <dd>{formatBytes(device.memoryBytes)}</dd>
        <dt>Engines</dt>
        <dd>{device.engines.length ? device.engines.join(', ') : 'none'}</dd>
        <dt>Last seen</dt>
        <dd>{formatAgo(device.lastSeenMs, nowMs)}</dd>
      </dl>
      <button type="button" className="button primary" onClick={() => onAdd(device)} disabled={busy}>
        {busy ? `Pairing with ${device.name}…` : `Add ${device.name} to team`}
      </button>
    </li>
  );
}
