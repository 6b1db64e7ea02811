// A PNG file's chunks by type, for tests that compare what two encoders wrote: the image data
// (IDAT) apart from metadata (Blender's tEXt chunks carry the date and render time).

export function pngChunks(bytes: Buffer): { type: string; data: Buffer }[] {
  const chunks: { type: string; data: Buffer }[] = [];
  for (let pos = 8; pos + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(pos);
    chunks.push({ type: bytes.toString('latin1', pos + 4, pos + 8), data: bytes.subarray(pos + 8, pos + 8 + length) });
    pos += 12 + length;
  }
  return chunks;
}

/** Every chunk but the metadata (tEXt, zTXt, iTXt, tIME) in order, concatenated with its type. */
export function pngWithoutMetadata(bytes: Buffer): Buffer {
  const metadata = new Set(['tEXt', 'zTXt', 'iTXt', 'tIME']);
  return Buffer.concat(
    pngChunks(bytes)
      .filter((c) => !metadata.has(c.type))
      .flatMap((c) => [Buffer.from(c.type, 'latin1'), c.data]),
  );
}
