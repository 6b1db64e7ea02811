import type { CapacitySample } from '../../../shared/control-api/responses.js';

export interface MemberSeries {
  deviceId: string;
  name: string;
  /** [atMs, busy share 0..1] while the machine was online; a gap (null) while it was not. */
  points: ([number, number] | null)[];
}

/** Each machine's busy share over time, from the team's capacity samples. */
export function utilisationSeries(samples: CapacitySample[]): MemberSeries[] {
  const byId = new Map<string, MemberSeries>();
  samples.forEach((sample, i) => {
    for (const m of sample.members) {
      let s = byId.get(m.deviceId);
      if (!s) {
        s = { deviceId: m.deviceId, name: m.name, points: Array<null>(i).fill(null) };
        byId.set(m.deviceId, s);
      }
      s.name = m.name;
      s.points.push(m.online && m.cores > 0 ? [sample.atMs, Math.min(1, Math.max(0, m.busyCores / m.cores))] : null);
    }
    for (const s of byId.values()) if (s.points.length < i + 1) s.points.push(null);
  });
  return [...byId.values()];
}

/** SVG path data: one segment per run of online points. */
export function pathOf(points: ([number, number] | null)[], x: (t: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!p) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`;
    pen = true;
  }
  return d;
}
