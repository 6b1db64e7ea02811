// Owns turning a scene file into a SceneModel: reading it with @gltf-transform/core, decoding its
// textures, and taking lights and emissive strength from the raw JSON the reader does not model.
// The scene's memory is estimated and held to its budget before the reader allocates anything.

import { Verbosity, NodeIO, type Document, type GLTF, type Material, type Texture, type TextureInfo } from '@gltf-transform/core';
import { checkGltfJson, SUPPORTED_EXTENSIONS } from '../../gltf/gltf-json-check.js';
import { readFloats } from '../../gltf/accessor-read.js';
import { readAnimation } from './animation-reader.js';
import { readLights } from './light-reader.js';
import { DEFAULT_SCENE_BUDGET_BYTES } from '../render-limits.js';
import { checkSceneBudget, type SceneMemoryEstimate } from './scene-budget.js';
import { BadSceneError } from '../../gltf/scene-errors.js';
import { readSceneFiles, type SceneFiles } from '../../gltf/scene-files.js';
import type { MaterialModel, NodeModel, PrimitiveModel, SceneModel, TextureRef } from './scene-model.js';
import { decodeTextureImage } from './texture-images.js';

const MODE_TRIANGLES = 4;
const MODE_STRIP = 5;
const MODE_FAN = 6;

export async function loadScene(scenePath: string, budgetBytes = DEFAULT_SCENE_BUDGET_BYTES): Promise<SceneModel> {
  return (await loadBudgetedScene(scenePath, budgetBytes)).scene;
}

export interface BudgetedScene {
  scene: SceneModel;
  estimate: SceneMemoryEstimate;
  /** Files beside the scene that it reads (relative paths): they travel with it. */
  externalFiles: string[];
}

/** The scene and what it was estimated to need; throws BadSceneError if that is over budgetBytes. */
export async function loadBudgetedScene(scenePath: string, budgetBytes: number): Promise<BudgetedScene> {
  const files = readSceneFiles(scenePath, budgetBytes);
  const { fileName, json } = files;
  const warnings = checkGltfJson(json, files.resources, fileName);
  const estimate = checkSceneBudget(json, files.resources, fileName, files.fileBytes, budgetBytes);
  return { scene: await readModel(files, warnings), estimate, externalFiles: files.externalFiles };
}

async function readModel(files: SceneFiles, warnings: string[]): Promise<SceneModel> {
  const { fileName, json } = files;
  // The reader refuses required extensions it has no class for; we honour these ourselves.
  const forReader: GLTF.IGLTF = { ...json, extensionsRequired: (json.extensionsRequired ?? []).filter((e) => !SUPPORTED_EXTENSIONS.includes(e)) };
  let doc: Document;
  try {
    const io = new NodeIO().setLogger({ debug() {}, info() {}, warn() {}, error() {}, verbosity: Verbosity.SILENT } as never);
    doc = await io.readJSON({ json: forReader, resources: files.resources as Record<string, Uint8Array<ArrayBuffer>> });
  } catch (err) {
    throw new BadSceneError(`could not read ${fileName}: ${(err as Error).message}`);
  }
  const root = doc.getRoot();
  const nodes = root.listNodes();
  const nodeIndex = new Map(nodes.map((n, i) => [n, i]));
  const meshIndex = new Map(root.listMeshes().map((m, i) => [m, i]));
  const cameraIndex = new Map(root.listCameras().map((c, i) => [c, i]));
  const { lights, nodeLights } = readLights(json, fileName);
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  if (!scene) throw new BadSceneError(`${fileName} has no scene to render`);

  const nodeModels: NodeModel[] = nodes.map((node, i) => {
    if (node.getSkin()) warnings.push(`node ${node.getName() || i} is skinned; it is rendered in its bind pose`);
    return {
      name: node.getName(),
      translation: node.getTranslation(),
      rotation: node.getRotation(),
      scale: node.getScale(),
      children: node.listChildren().map((c) => nodeIndex.get(c)!),
      mesh: meshIndex.get(node.getMesh()!) ?? -1,
      camera: cameraIndex.get(node.getCamera()!) ?? -1,
      light: nodeLights.get(i) ?? -1,
    };
  });

  const textures = new TextureDecoder(root.listTextures(), warnings);
  const emissiveStrength = (json.materials ?? []).map(
    (m) => (m.extensions?.KHR_materials_emissive_strength as { emissiveStrength?: number } | undefined)?.emissiveStrength ?? 1,
  );
  const materials = root.listMaterials().map((m, i) => readMaterial(m, emissiveStrength[i] ?? 1, textures, warnings));
  const materialIndex = new Map(root.listMaterials().map((m, i) => [m, i]));

  const meshes = root.listMeshes().map((mesh, mi) =>
    mesh.listPrimitives().flatMap((prim, pi): PrimitiveModel[] => {
      const where = `mesh ${mesh.getName() || mi} primitive ${pi}`;
      const mode = prim.getMode();
      if (mode !== MODE_TRIANGLES && mode !== MODE_STRIP && mode !== MODE_FAN) {
        warnings.push(`${where} is made of points or lines; only triangles are rendered`);
        return [];
      }
      if (prim.listTargets().length > 0) warnings.push(`${where} has morph targets; they are ignored`);
      const position = prim.getAttribute('POSITION');
      if (!position) throw new BadSceneError(`${fileName}: ${where} has no POSITION attribute`);
      const positions = readFloats(position, 3);
      const vertexCount = position.getCount();
      const normal = prim.getAttribute('NORMAL');
      const uv = prim.getAttribute('TEXCOORD_0');
      const indexAccessor = prim.getIndices();
      const order = indexAccessor ? Uint32Array.from(indexAccessor.getArray() ?? []) : Uint32Array.from({ length: vertexCount }, (_, k) => k);
      for (const k of order) if (k >= vertexCount) throw new BadSceneError(`${fileName}: ${where} has an index past its ${vertexCount} vertices`);
      return [
        {
          positions,
          normals: normal && normal.getCount() === vertexCount ? readFloats(normal, 3) : null,
          uvs: uv && uv.getCount() === vertexCount ? readFloats(uv, 2) : null,
          indices: toTriangleList(order, mode),
          material: materialIndex.get(prim.getMaterial()!) ?? -1,
        },
      ];
    }),
  );

  return {
    fileName,
    nodes: nodeModels,
    roots: scene.listChildren().map((n) => nodeIndex.get(n)!),
    meshes,
    materials,
    cameras: root.listCameras().map((c) => ({ type: c.getType(), yfov: c.getYFov(), xmag: c.getXMag(), ymag: c.getYMag() })),
    lights,
    animation: readAnimation(root.listAnimations()[0], nodeIndex, warnings),
    textureCount: root.listTextures().length,
    warnings,
  };
}

function toTriangleList(order: Uint32Array, mode: number): Uint32Array {
  if (mode === MODE_TRIANGLES) return order.slice(0, order.length - (order.length % 3));
  // Typed, not a growing number[]: 24 bytes a corner in the JS heap instead of 4 (see scene-budget).
  const tris = new Uint32Array(Math.max(0, order.length - 2) * 3);
  for (let i = 2, t = 0; i < order.length; i++, t += 3) {
    const fan = mode === MODE_FAN;
    const even = i % 2 === 0; // odd strip triangles swap their first two corners to keep winding
    tris[t] = fan ? order[0]! : even ? order[i - 2]! : order[i - 1]!;
    tris[t + 1] = fan || even ? order[i - 1]! : order[i - 2]!;
    tris[t + 2] = order[i]!;
  }
  return tris;
}

function readMaterial(m: Material, strength: number, textures: TextureDecoder, warnings: string[]): MaterialModel {
  const [er, eg, eb] = m.getEmissiveFactor();
  const name = m.getName() || 'unnamed material';
  const ref = (texture: Texture | null, info: TextureInfo | null, srgb: boolean): TextureRef | null => {
    if (!texture || !info) return null;
    if (info.getTexCoord() !== 0) warnings.push(`material ${name} uses TEXCOORD_${info.getTexCoord()}; TEXCOORD_0 was used instead`);
    const image = textures.decode(texture);
    return image ? { image, srgb, wrapS: info.getWrapS(), wrapT: info.getWrapT() } : null;
  };
  return {
    baseColor: m.getBaseColorFactor(),
    metallic: m.getMetallicFactor(),
    roughness: m.getRoughnessFactor(),
    emissive: [er * strength, eg * strength, eb * strength],
    doubleSided: m.getDoubleSided(),
    baseColorTexture: ref(m.getBaseColorTexture(), m.getBaseColorTextureInfo(), true),
    metallicRoughnessTexture: ref(m.getMetallicRoughnessTexture(), m.getMetallicRoughnessTextureInfo(), false),
    emissiveTexture: ref(m.getEmissiveTexture(), m.getEmissiveTextureInfo(), true),
  };
}

/** Decodes each image once, and warns once per image it cannot use. */
class TextureDecoder {
  private readonly cache = new Map<number, ReturnType<typeof decodeTextureImage>>();

  constructor(
    private readonly all: Texture[],
    private readonly warnings: string[],
  ) {}

  decode(texture: Texture): TextureRef['image'] | null {
    const index = this.all.indexOf(texture);
    let result = this.cache.get(index);
    if (!result) {
      const name = texture.getURI() || texture.getName() || `#${index}`;
      const bytes = texture.getImage();
      result = bytes ? decodeTextureImage(bytes, texture.getMimeType(), name) : { warning: `texture ${name} has no image data; it was left out` };
      if ('warning' in result) this.warnings.push(result.warning);
      this.cache.set(index, result);
    }
    return 'image' in result ? result.image : null;
  }
}
