// Frames from files a visitor drops or picks: each image is one frame, each
// video is sampled every `intervalMs` of its own timeline.
import { grabFrame, type CapturedFrame } from './frame.js';

export function isSupportedFile(file: File): boolean {
  return file.type.startsWith('image/') || file.type.startsWith('video/');
}

export async function* framesFromFiles(files: Iterable<File>, intervalMs: number): AsyncGenerator<CapturedFrame> {
  for (const file of files) {
    if (file.type.startsWith('image/')) {
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      try {
        yield grabFrame(bitmap, new Date(file.lastModified || Date.now()));
      } finally {
        bitmap.close();
      }
    } else if (file.type.startsWith('video/')) {
      yield* framesFromVideoFile(file, intervalMs);
    }
  }
}

async function* framesFromVideoFile(file: File, intervalMs: number): AsyncGenerator<CapturedFrame> {
  const url = URL.createObjectURL(file);
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.src = url;
  try {
    await waitFor(video, 'loadeddata');
    const startedAt = file.lastModified || Date.now();
    // Some recordings (e.g. MediaRecorder WebM) report an infinite duration: take their first frame only.
    const duration = Number.isFinite(video.duration) ? video.duration : 0;
    for (let seconds = 0; seconds === 0 || seconds < duration; seconds += intervalMs / 1000) {
      video.currentTime = seconds;
      await waitFor(video, 'seeked');
      yield grabFrame(video, new Date(startedAt + seconds * 1000));
    }
  } finally {
    video.removeAttribute('src');
    URL.revokeObjectURL(url);
  }
}

function waitFor(video: HTMLVideoElement, event: 'loadeddata' | 'seeked'): Promise<void> {
  return new Promise((resolve, reject) => {
    video.addEventListener(event, () => resolve(), { once: true });
    video.addEventListener('error', () => reject(new Error(`Cannot read the video: ${video.error?.message ?? 'unknown format'}`)), { once: true });
  });
}
