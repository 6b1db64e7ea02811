import type { Region } from '../../../shared/model/jobs.js';

/**
 * Where a still's tiles are drawn. The bucket view hands each finished tile to this and never
 * redraws what is already there; tests give a fake (jsdom has no 2D canvas).
 */
export interface TilePainter {
  /** Sizes the surface to the frame and clears it. */
  reset(frameWidth: number, frameHeight: number): void;
  /** Decodes a PNG and draws it at `region` (full-frame pixels). */
  drawTile(png: Uint8Array, region: Region): Promise<void>;
}

export type TilePainterFactory = (canvas: HTMLCanvasElement) => TilePainter;

/** Canvases above this side are drawn scaled down: a 16k frame need not be 16k screen pixels. */
const MAX_CANVAS_SIDE = 2048;

export const canvasTilePainter: TilePainterFactory = (canvas) => {
  let scale = 1;
  return {
    reset(frameWidth, frameHeight) {
      scale = Math.min(1, MAX_CANVAS_SIDE / Math.max(frameWidth, frameHeight));
      canvas.width = Math.max(1, Math.round(frameWidth * scale));
      canvas.height = Math.max(1, Math.round(frameHeight * scale));
      canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
    },
    async drawTile(png, region) {
      const bitmap = await createImageBitmap(new Blob([png as BlobPart], { type: 'image/png' }));
      try {
        canvas.getContext('2d')?.drawImage(bitmap, region.x * scale, region.y * scale, region.width * scale, region.height * scale);
      } finally {
        bitmap.close();
      }
    },
  };
};
