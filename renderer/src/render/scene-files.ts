import { MAX_UPLOAD_BYTES, UPLOAD_NAME_PATTERN } from '../../../shared/control-api/index.js';
import type { SceneInfo } from '../../../shared/control-api/responses.js';
import { TroupeError } from '../../../shared/errors.js';
import type { AgentConnection } from '../api/agent-connection.js';
import { formatBytes } from '../format/human-units.js';

const SCENE_EXTENSIONS = /\.(glb|gltf)$/i;

/** The scene among dropped files (a .gltf comes with its .bin and textures); else the first, for the agent to judge. */
export function pickSceneFile(files: File[]): File | null {
  return files.find((f) => SCENE_EXTENSIONS.test(f.name)) ?? files[0] ?? null;
}

/** 16 random hex digits: one upload folder on the agent for the files of one drop. */
export function newUploadId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Puts a dropped scene where the agent can read it and asks what it offers. In the desktop app the
 * file already is on the agent's disk (its path, nothing copied); in a browser every file of the
 * drop is uploaded into one folder so a .gltf finds its neighbours. The agent says if it is not a scene.
 */
export async function inspectDroppedScene(files: File[], connection: AgentConnection): Promise<SceneInfo> {
  const scene = pickSceneFile(files);
  if (!scene) throw new TroupeError('bad-request', 'Nothing was dropped. Drop a .glb or .gltf scene file.');
  const localPath = connection.pathForFile(scene);
  if (localPath) return connection.client.call('inspectScene', { scenePath: localPath });

  for (const f of files) {
    if (!UPLOAD_NAME_PATTERN.test(f.name)) throw new TroupeError('bad-request', `“${f.name}” cannot be uploaded under that name; rename it and drop it again.`);
    if (f.size > MAX_UPLOAD_BYTES) throw new TroupeError('bad-request', `${f.name} is ${formatBytes(f.size)}; at most ${formatBytes(MAX_UPLOAD_BYTES)} can be uploaded.`);
  }
  const uploadId = newUploadId();
  let scenePath = '';
  // One at a time: two cores, and the agent writes each upload to disk before answering.
  for (const f of files) {
    const { path } = await connection.client.upload({ uploadId, fileName: f.name }, f);
    if (f === scene) scenePath = path;
  }
  return connection.client.call('inspectScene', { scenePath });
}
