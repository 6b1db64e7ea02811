// Owns reading what the user typed after `troupe pair` (or dragged in the UI): a nearby machine's
// name or device id, or a host:port. A nearby machine also gives the id its certificate must have.

import { TroupeError } from '../../../shared/errors.js';
import type { DeviceId, NearbyDevice } from '../../../shared/model/index.js';
import { parseHostPort } from '../discovery/address-probe.js';
import { formatDeviceId, parseDeviceId } from '../identity/device-id.js';

type Nearby = Pick<NearbyDevice, 'deviceId' | 'name' | 'addresses' | 'port'>;

export function resolvePairingTarget(target: string, nearby: Nearby[]): { address: string; expectedId: DeviceId | null } {
  const id = parseDeviceId(target);
  const byId = id ? nearby.find((n) => n.deviceId === id) : undefined;
  const byName = nearby.filter((n) => n.name.toLowerCase() === target.toLowerCase());
  const byPrefix = nearby.filter((n) => formatDeviceId(n.deviceId).replace(/-/g, '').startsWith(target.toUpperCase().replace(/-/g, '')));
  const hit = byId ?? (byName.length === 1 ? byName[0] : byPrefix.length === 1 && target.length >= 4 ? byPrefix[0] : undefined);
  if (hit) return { address: `${hit.addresses[0]}:${hit.port}`, expectedId: hit.deviceId };
  if (byName.length > 1) throw new TroupeError('bad-request', `Several nearby machines are called "${target}"; use the device id`);
  if (/[.:]/.test(target)) {
    const { host, port } = parseHostPort(target);
    return { address: `${host}:${port}`, expectedId: null };
  }
  throw new TroupeError(
    'unknown-device',
    `No nearby machine is called "${target}". Check \`troupe nearby\`, or give its address as host:port`,
  );
}
