// Owns every byte the renderer reads from disk for a scene: the .gltf/.glb container and the
// buffers and images it names. A URI never leads outside the scene's own folder, and the files'
// sizes are added up before each is read, so they stay within the scene's memory budget.

import { realpathSync, statSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { GLB_BUFFER, type GLTF } from '@gltf-transform/core';
import { formatBytes } from '../format-bytes.js';
import { BadSceneError } from './scene-errors.js';

/** A scene as parsed JSON plus the bytes of every non-data URI it names (GLB chunk under GLB_BUFFER). */
export interface SceneFiles {
  fileName: string;
  json: GLTF.IGLTF;
  resources: Record<string, Uint8Array>;
  /** Bytes read from disk, all files together. */
  fileBytes: number;
  /** The buffers and images read from beside the scene, as paths relative to its folder. */
  externalFiles: string[];
}

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;
// Node cannot hold one Buffer past 2 GiB; a scene that large is not one this engine can trace.
const MAX_FILE_BYTES = 2 ** 31 - 1;

export function readSceneFiles(scenePath: string, budgetBytes = Infinity): SceneFiles {
  const fileName = basename(scenePath);
  let fileBytes = 0;
  const externalFiles: string[] = [];
  const readWithin = (path: string, what: string): Uint8Array => {
    const data = readWholeFile(path, what, (size) => {
      if (fileBytes + size > budgetBytes) {
        throw new BadSceneError(
          `${fileName} and the files it names take ${formatBytes(fileBytes + size)} (${what} ${formatBytes(size)}), ` +
            `more than the ${formatBytes(budgetBytes)} a scene may use on this machine; make the scene smaller`,
        );
      }
    });
    fileBytes += data.byteLength;
    return data;
  };
  const bytes = readWithin(scenePath, `scene file ${scenePath}`);
  const { json, bin } = isGlb(bytes) ? parseGlb(bytes, fileName) : { json: parseJson(bytes, fileName), bin: null };
  checkVersion(json, fileName);
  const sceneDir = dirname(resolve(scenePath));
  const resources: Record<string, Uint8Array> = {};
  (json.buffers ?? []).forEach((buffer, i) => {
    const what = buffer.uri ? `buffer ${buffer.uri}` : `buffer ${i}`;
    let data: Uint8Array | null = null;
    if (buffer.uri === undefined) {
      if (i !== 0 || !bin) throw new BadSceneError(`${fileName}: buffer ${i} has no uri and there is no GLB binary chunk for it`);
      data = bin;
      resources[GLB_BUFFER] = bin;
    } else if (!isDataUri(buffer.uri)) {
      data = readWithin(safeResolve(sceneDir, buffer.uri, what, fileName), what);
      externalFiles.push(decodeURIComponent(buffer.uri));
      resources[buffer.uri] = data;
    }
    if (data && data.byteLength < buffer.byteLength) {
      throw new BadSceneError(`${what} is truncated (expected ${buffer.byteLength} bytes, got ${data.byteLength})`);
    }
  });
  for (const image of json.images ?? []) {
    if (image.uri === undefined || isDataUri(image.uri) || image.uri in resources) continue;
    const what = `texture ${image.uri}`;
    resources[image.uri] = readWithin(safeResolve(sceneDir, image.uri, what, fileName), what);
    externalFiles.push(decodeURIComponent(image.uri));
  }
  return { fileName, json, resources, fileBytes, externalFiles: [...new Set(externalFiles)] };
}

function isDataUri(uri: string): boolean {
  return uri.startsWith('data:');
}

function isGlb(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === GLB_MAGIC;
}

/** `admit` sees the size before a byte is read, and may refuse by throwing. */
function readWholeFile(path: string, what: string, admit: (sizeBytes: number) => void): Uint8Array {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new BadSceneError(`${what} is not a file`);
    size = stat.size;
  } catch (err) {
    if (err instanceof BadSceneError) throw err;
    throw new BadSceneError(`${what} is missing`);
  }
  if (size > MAX_FILE_BYTES) throw new BadSceneError(`${what} is ${size} bytes; the built-in renderer reads files up to 2 GiB`);
  admit(size);
  return readFileSync(path);
}

/**
 * A scene may only use files in its own folder (or below): an absolute path, another scheme or a
 * `..` segment is refused outright, and a symlink that escapes the folder is refused after
 * resolving it, so a scene received from a teammate cannot make us read /etc/passwd.
 */
function safeResolve(sceneDir: string, uri: string, what: string, fileName: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(uri);
  } catch {
    throw new BadSceneError(`${fileName}: ${what} is not a valid URI`);
  }
  const refuse = (): never => {
    throw new BadSceneError(
      `${fileName}: ${what} points outside the scene's folder; a scene may only use files in its own folder, so it was refused`,
    );
  };
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(decoded);
  const segments = decoded.split(/[/\\]/);
  if (hasScheme || decoded.startsWith('/') || decoded.startsWith('\\') || decoded.includes('\0') || segments.includes('..')) {
    refuse();
  }
  const full = resolve(sceneDir, decoded);
  if (!isInside(sceneDir, full)) refuse();
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    throw new BadSceneError(`${what} is missing (looked in ${sceneDir})`);
  }
  if (!isInside(realpathSync(sceneDir), real)) refuse();
  return real;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function parseJson(bytes: Uint8Array, fileName: string): GLTF.IGLTF {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!/^\s*\{/.test(text)) {
    throw new BadSceneError(`${fileName} is not a glTF scene: it is neither glTF JSON (.gltf) nor glTF binary (.glb)`);
  }
  try {
    return JSON.parse(text) as GLTF.IGLTF;
  } catch (err) {
    throw new BadSceneError(`${fileName} is not valid glTF JSON (${(err as Error).message}); it may be truncated`);
  }
}

function parseGlb(bytes: Uint8Array, fileName: string): { json: GLTF.IGLTF; bin: Uint8Array | null } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const truncated = (expected: number): BadSceneError =>
    new BadSceneError(`${fileName} is truncated (expected ${expected} bytes, got ${bytes.byteLength})`);
  if (bytes.byteLength < 12) throw truncated(12);
  const version = view.getUint32(4, true);
  if (version !== 2) throw new BadSceneError(`${fileName} is GLB version ${version}; only glTF 2.0 is supported`);
  const length = view.getUint32(8, true);
  if (length > bytes.byteLength) throw truncated(length);
  if (length < 20) throw new BadSceneError(`${fileName} is not a valid GLB file (declared length ${length} bytes)`);
  const jsonLength = view.getUint32(12, true);
  if (view.getUint32(16, true) !== CHUNK_JSON) throw new BadSceneError(`${fileName} is not a valid GLB file (first chunk is not JSON)`);
  if (20 + jsonLength > length) throw truncated(20 + jsonLength);
  const json = parseJson(bytes.subarray(20, 20 + jsonLength), fileName);
  let bin: Uint8Array | null = null;
  const binStart = 20 + jsonLength; // chunk lengths are padded to 4 bytes by the format
  if (binStart + 8 <= length) {
    const binLength = view.getUint32(binStart, true);
    if (view.getUint32(binStart + 4, true) === CHUNK_BIN) {
      if (binStart + 8 + binLength > length) throw truncated(binStart + 8 + binLength);
      bin = bytes.subarray(binStart + 8, binStart + 8 + binLength);
    }
  }
  return { json, bin };
}

function checkVersion(json: GLTF.IGLTF, fileName: string): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BadSceneError(`${fileName} is not a glTF scene`);
  const version = (json as { asset?: { version?: unknown } }).asset?.version;
  if (typeof version !== 'string') throw new BadSceneError(`${fileName} has no asset.version; it is not a glTF 2.0 scene`);
  if (!version.startsWith('2.')) throw new BadSceneError(`${fileName} is glTF ${version}; only glTF 2.0 is supported`);
}
