// Owns machines added by address (where mDNS cannot see them: a VPN, an isolated Wi-Fi): the
// first probe answers the user, and each address is probed again every few seconds so the
// machine stays in "nearby" while it answers and ages out when it stops.

import { TroupeError } from '../../../shared/errors.js';
import type { Identity } from '../identity/identity-store.js';
import { parseHostPort, probeAddress } from './address-probe.js';
import type { Announcement } from './peer-finder.js';

const PROBE_INTERVAL_MS = 3000;

export class ManualAddresses {
  private readonly addresses = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly identity: Identity,
    private readonly seen: (a: Announcement) => void,
  ) {
    this.timer = setInterval(() => void this.probeAll(), PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Probes `address` now; remembers it if a Troupe agent (not this one) answers there. */
  async add(address: string): Promise<Announcement> {
    const { host, port } = parseHostPort(address);
    const a = await probeAddress(this.identity, `${host}:${port}`);
    if (a.deviceId === this.identity.deviceId) throw new TroupeError('bad-request', `${address} is this machine`);
    this.addresses.add(`${host}:${port}`);
    this.seen(a);
    return a;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async probeAll(): Promise<void> {
    for (const address of this.addresses) {
      try {
        this.seen(await probeAddress(this.identity, address, 2000));
      } catch {
        /* not answering now; it drops out of "nearby" when its last-seen ages */
      }
    }
  }
}
