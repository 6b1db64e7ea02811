// A stable colour per machine, so a bucket outline, a legend entry and a team row of the same
// machine match on every screen and after every restart (from the device id, not the order seen).

export function workerColour(deviceId: string): string {
  // FNV-1a over the id, then hue by golden angle so close ids still land far apart.
  let hash = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) {
    hash ^= deviceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  const hue = Math.round(((hash >>> 0) * 137.508) % 360);
  return `hsl(${hue} 80% 60%)`;
}
