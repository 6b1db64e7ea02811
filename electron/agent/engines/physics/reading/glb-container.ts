// Owns the GLB container itself (header, JSON chunk, BIN chunk), both ways. gltf-transform packs
// GLBs only from a Document, and a Document drops every extension it has no class for, so the
// physics drafts' JSON would be lost: we pack and unpack the raw JSON ourselves instead.

import type { GLTF } from '@gltf-transform/core';
import { BadPhysicsSceneError } from '../physics-errors.js';

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;

export function isGlb(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === GLB_MAGIC;
}

/** The JSON and binary chunk of a GLB; throws BadPhysicsSceneError naming what is damaged. */
export function unpackGlb(bytes: Uint8Array, fileName: string): { json: GLTF.IGLTF; bin: Uint8Array | null } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const damaged = (why: string): BadPhysicsSceneError => new BadPhysicsSceneError(`${fileName} is not a valid GLB file: ${why}`);
  if (bytes.byteLength < 20) throw damaged(`it has only ${bytes.byteLength} bytes`);
  if (view.getUint32(4, true) !== 2) throw damaged(`it is GLB version ${view.getUint32(4, true)}; only glTF 2.0 is supported`);
  const length = view.getUint32(8, true);
  if (length > bytes.byteLength) throw damaged(`it is truncated (expected ${length} bytes, got ${bytes.byteLength})`);
  const jsonLength = view.getUint32(12, true);
  if (view.getUint32(16, true) !== CHUNK_JSON) throw damaged('its first chunk is not JSON');
  if (20 + jsonLength > length) throw damaged(`its JSON chunk runs past the end of the file`);
  const json = parseGltfJson(bytes.subarray(20, 20 + jsonLength), fileName);
  let bin: Uint8Array | null = null;
  const binStart = 20 + jsonLength;
  if (binStart + 8 <= length && view.getUint32(binStart + 4, true) === CHUNK_BIN) {
    const binLength = view.getUint32(binStart, true);
    if (binStart + 8 + binLength > length) throw damaged('its binary chunk runs past the end of the file');
    bin = bytes.subarray(binStart + 8, binStart + 8 + binLength);
  }
  return { json, bin };
}

export function parseGltfJson(bytes: Uint8Array, fileName: string): GLTF.IGLTF {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BadPhysicsSceneError(`${fileName} is not valid glTF JSON (${(err as Error).message}); it may be truncated`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BadPhysicsSceneError(`${fileName} is not a glTF scene`);
  return json as GLTF.IGLTF;
}

/** A GLB of `json` and `bin`; each chunk padded to 4 bytes as the format requires (JSON with spaces, BIN with zeros). */
export function packGlb(json: object, bin: Uint8Array | null): Uint8Array {
  const jsonBytes = Buffer.from(JSON.stringify(json), 'utf8');
  const jsonPadded = Buffer.concat([jsonBytes, Buffer.alloc((4 - (jsonBytes.length % 4)) % 4, 0x20)]);
  // The binary chunk is copied once, into the file (a run's keyframes can be hundreds of MiB): its padding is the zeros the file starts as.
  const binPaddedLength = bin ? bin.byteLength + ((4 - (bin.byteLength % 4)) % 4) : 0;
  const total = 12 + 8 + jsonPadded.length + (bin ? 8 + binPaddedLength : 0);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(GLB_MAGIC, 0);
  out.writeUInt32LE(2, 4);
  out.writeUInt32LE(total, 8);
  out.writeUInt32LE(jsonPadded.length, 12);
  out.writeUInt32LE(CHUNK_JSON, 16);
  jsonPadded.copy(out, 20);
  if (bin) {
    const at = 20 + jsonPadded.length;
    out.writeUInt32LE(binPaddedLength, at);
    out.writeUInt32LE(CHUNK_BIN, at + 4);
    out.set(bin, at + 8);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
