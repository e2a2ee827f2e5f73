// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed
const unsafeFilenameCharacters = /[\u0000-\u001f\u007f<>:"|?*]/g;

/** A file name safe for a storage key and a download: no path, no control or reserved characters. */
export function safeFilename(name: string, fallback = 'attachment'): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(unsafeFilenameCharacters, '').replace(/^\.+/, '').trim().slice(0, 200);
  return cleaned || fallback;
}
