// A small preview of an image file chosen for upload, as a data: URL. The console's CSP allows
// images from the origin and data: only (web/reply.c), so blob: object URLs cannot be shown;
// createImageBitmap reads the file without a URL, and a canvas shrinks it to a JPEG of a few kB.

const EDGE = 160; // px, the longer side of the preview

/**
 * @param {Blob} file an image
 * @returns {Promise<string | null>} a data: URL, null when the browser cannot read the image
 */
export async function imagePreview(file) {
  if (typeof createImageBitmap !== 'function' || typeof document === 'undefined') return null;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null; // not an image this browser decodes (HEIC on desktop, a broken file): no preview
  }
  const scale = Math.min(1, EDGE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close?.();
  return canvas.toDataURL('image/jpeg', 0.8);
}
