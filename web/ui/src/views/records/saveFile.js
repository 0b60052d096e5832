// Hands a downloaded file (an export) to the browser as a download with its name.

/**
 * @param {Blob} blob
 * @param {string} filename
 */
export function saveFile(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

/** A name for an export the server did not name: "<app>-<yyyymmdd>.<ext>". */
export function exportName(appName, format, now = new Date()) {
  const day = `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(
    now.getDate(),
  ).padStart(2, '0')}`;
  const base = String(appName || 'records').replace(/[\\/:*?"<>|]+/g, '_');
  return `${base}-${day}.${format}`;
}
