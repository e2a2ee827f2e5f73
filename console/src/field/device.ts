/** The phone's side of a visit: its position, and photos made small before they travel. */

export interface Here {
  lat: number;
  lng: number;
  accuracy: number;
}

/** The browser's position now (high accuracy, a fresh fix, at most 10 s): each step records where it was taken. */
export function whereAmI(): Promise<Here> {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error('geolocation unavailable'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) =>
        resolve({
          lat: Math.round(p.coords.latitude * 1e6) / 1e6,
          lng: Math.round(p.coords.longitude * 1e6) / 1e6,
          accuracy: Math.round(p.coords.accuracy),
        }),
      (e) => reject(new Error(e.message)),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 0 },
    );
  });
}

/** A camera photo scaled to at most `maxSide` pixels and re-encoded as JPEG on the device. */
export async function compressPhoto(file: Blob, maxSide = 1600, quality = 0.8): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode failed'))), 'image/jpeg', quality),
  );
}

/** Metres as the phone shows them: `850 m`, `2.3 km` (a no-break space: never split over two lines). */
export const distanceText = (m: number | null, lang: 'zh' | 'en') =>
  m === null
    ? ''
    : m < 1000
      ? `${m}\u00a0${lang === 'zh' ? '米' : 'm'}`
      : `${(m / 1000).toFixed(1)}\u00a0${lang === 'zh' ? '公里' : 'km'}`;
