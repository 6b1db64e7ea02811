// Owns how memory sizes read in messages to users: binary units, as the limits are set in them.

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 2147483648 -> "2 GiB", 1610612736 -> "1.5 GiB", 1e15 -> "909.5 TiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} bytes`;
  const text = value >= 100 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
  return `${text} ${UNITS[unit]}`;
}
