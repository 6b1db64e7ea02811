// Owns the first line against a stranger flooding the LAN with made-up services: before an mDNS
// answer reaches bonjour-service's browser (which keeps every service it hears, and scans them all
// for each answer), the records of services new to a sender past the first few it announced are
// dropped. An agent announces one service; several agents on one box a few. What is dropped is
// never parsed, kept or shown; the sender's known services keep their answers, so a real machine
// behind the same address stays listed.

/** Distinct Troupe services one sender address may announce (beyond them: dropped). */
export const SERVICES_PER_SENDER = 16;
/** Senders remembered at once; past this the table starts afresh (spoofed addresses cost nothing to make). */
const SENDERS_REMEMBERED = 4096;

interface Record {
  type: string;
  name: string;
  data?: unknown;
}

export class MdnsSenderFilter {
  private readonly services = new Map<string, Set<string>>();
  /** Records dropped, for the log and the attack tests. */
  dropped = 0;

  constructor(private readonly serviceSuffix: string) {}

  /** The records of `records` that may pass from `sender`. */
  filter<R extends Record>(records: R[], sender: string): R[] {
    return records.filter((rr) => {
      const service = this.serviceOf(rr);
      if (service === null) return true;
      let known = this.services.get(sender);
      if (!known) {
        if (this.services.size >= SENDERS_REMEMBERED) this.services.clear();
        known = new Set();
        this.services.set(sender, known);
      }
      if (known.has(service)) return true;
      if (known.size >= SERVICES_PER_SENDER) {
        this.dropped++;
        return false;
      }
      known.add(service);
      return true;
    });
  }

  /** The service instance a record is about (PTR points at it; SRV and TXT are named by it), or null. */
  private serviceOf(rr: Record): string | null {
    const name = rr.type === 'PTR' && typeof rr.data === 'string' ? rr.data : rr.type === 'SRV' || rr.type === 'TXT' ? rr.name : null;
    return name && name.toLowerCase().endsWith(this.serviceSuffix) ? name.toLowerCase() : null;
  }
}
