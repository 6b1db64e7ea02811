// Owns the renderer's own picture of a glTF scene: plain arrays and numbers, with every index a
// glTF index, so nothing past the loader depends on the reader library's object graph.

import type { Quat, Vec3 } from '../../gltf/mat4.js';

export type { Quat, Vec3 };

/** 8-bit RGBA texels, kept as bytes: a float copy would cost four times the memory in every thread. */
export interface TextureImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface TextureRef {
  image: TextureImage;
  /** Colour (base colour, emissive) textures are sRGB-encoded; data textures are linear. */
  srgb: boolean;
  wrapS: number; // GL enum: 33071 clamp, 33648 mirrored repeat, 10497 repeat
  wrapT: number;
}

export interface MaterialModel {
  baseColor: [number, number, number, number];
  metallic: number;
  roughness: number;
  /** emissiveFactor times KHR_materials_emissive_strength. */
  emissive: Vec3;
  doubleSided: boolean;
  baseColorTexture: TextureRef | null;
  metallicRoughnessTexture: TextureRef | null;
  emissiveTexture: TextureRef | null;
}

/** One triangle list in the mesh's local space (strips and fans already unrolled). */
export interface PrimitiveModel {
  positions: Float32Array;
  normals: Float32Array | null;
  uvs: Float32Array | null;
  indices: Uint32Array;
  /** Index into SceneModel.materials; -1 for the glTF default material. */
  material: number;
}

export interface NodeModel {
  name: string;
  translation: Vec3;
  rotation: Quat;
  scale: Vec3;
  children: number[];
  mesh: number;
  camera: number;
  light: number;
}

export interface CameraModel {
  type: 'perspective' | 'orthographic';
  yfov: number;
  xmag: number;
  ymag: number;
}

export interface LightModel {
  type: 'point' | 'spot' | 'directional';
  color: Vec3;
  intensity: number;
  /** Infinity when the light has no range. */
  range: number;
  innerConeAngle: number;
  outerConeAngle: number;
}

export interface AnimationChannelModel {
  node: number;
  path: 'translation' | 'rotation' | 'scale';
  step: boolean;
  times: Float32Array;
  /** One value per key: 3 floats (translation, scale) or 4 (rotation quaternion). */
  values: Float32Array;
}

export interface SceneModel {
  fileName: string;
  nodes: NodeModel[];
  /** The default scene's root nodes. */
  roots: number[];
  meshes: PrimitiveModel[][];
  materials: MaterialModel[];
  cameras: CameraModel[];
  lights: LightModel[];
  animation: { channels: AnimationChannelModel[]; durationSec: number } | null;
  textureCount: number;
  warnings: string[];
}
